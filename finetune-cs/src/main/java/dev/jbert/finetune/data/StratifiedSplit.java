package dev.jbert.finetune.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Holds out a validation set when no evaluation file is given, keeping each class's share.
 *
 * <p>Examples are grouped into strata: by label for classification; for regression by score into
 * {@value #REGRESSION_BINS} equal-count bins of the sorted scores. In each stratum (taken in sorted
 * order) the examples are shuffled with one {@link Random} seeded by {@code seed}, and the first
 * {@code round(fraction × stratum size)} go to validation. So every class keeps its proportion to
 * within one example, and the same seed always gives the same split. Both parts keep file order.
 *
 * <p>Rows that share a message (e.g. several candidate replies to one ticket) can land on both sides;
 * for such data give a separate evaluation file split by message.
 */
public final class StratifiedSplit {

  /** Number of score bins used as strata for regression. */
  public static final int REGRESSION_BINS = 10;

  /** Training and held-out examples. */
  public record Parts(List<Example> train, List<Example> validation) {}

  private StratifiedSplit() {}

  /**
   * Splits labelled examples.
   *
   * @param fraction share of each stratum held out, in (0, 1)
   * @throws IllegalArgumentException for an unlabelled example or a fraction outside (0, 1)
   */
  public static Parts split(List<Example> examples, double fraction, long seed) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + fraction);
    }
    TreeMap<String, List<Integer>> strata = strata(examples);
    boolean[] held = new boolean[examples.size()];
    Random random = new Random(seed);
    for (List<Integer> members : strata.values()) {
      Collections.shuffle(members, random);
      long take = Math.round(fraction * members.size());
      for (int i = 0; i < take; i++) {
        held[members.get(i)] = true;
      }
    }
    List<Example> train = new ArrayList<>();
    List<Example> validation = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      (held[i] ? validation : train).add(examples.get(i));
    }
    return new Parts(List.copyOf(train), List.copyOf(validation));
  }

  /** Example indices per stratum key; keys sort so that iteration order is fixed. */
  private static TreeMap<String, List<Integer>> strata(List<Example> examples) {
    TreeMap<String, List<Integer>> strata = new TreeMap<>();
    List<Integer> scored = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      if (e.label() != null) {
        strata.computeIfAbsent("label:" + e.label(), k -> new ArrayList<>()).add(i);
      } else if (e.score() != null) {
        scored.add(i);
      } else {
        throw new IllegalArgumentException(e.where() + ": cannot stratify an unlabelled example");
      }
    }
    // Regression: equal-count bins over the examples sorted by score (stable: ties keep file order).
    scored.sort(Comparator.comparingDouble(i -> examples.get(i).score()));
    int bins = Math.min(REGRESSION_BINS, scored.size());
    for (int rank = 0; rank < scored.size(); rank++) {
      int bin = (int) ((long) rank * bins / scored.size());
      strata.computeIfAbsent(String.format("score-bin:%02d", bin), k -> new ArrayList<>()).add(scored.get(rank));
    }
    return strata;
  }
}
