package dev.jbert.finetune.fewshot;

import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Draws k labelled examples per label from a training set: the few-shot setting of the literature
 * (Banking77 with 10 per intent is 770 messages). Each label's examples are shuffled by a generator
 * seeded from the seed and the label alone, so a label's sample does not depend on which other
 * labels the file holds or in which order; the sample keeps the file's order. A label with fewer
 * than k examples gives all it has.
 */
public final class FewShotSampler {

  private FewShotSampler() {}

  /**
   * @param examples labelled examples (classification)
   * @param perLabel k, at least 1
   * @param seed the same seed gives the same sample
   * @throws DataFileException for an example without a label, naming file and line
   */
  public static List<Example> sample(List<Example> examples, int perLabel, long seed) {
    if (perLabel < 1) {
      throw new IllegalArgumentException("examples per label must be >= 1, got " + perLabel);
    }
    Map<String, List<Integer>> byLabel = new TreeMap<>();
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      if (e.label() == null) {
        throw new DataFileException(e.source(), e.line(), "sampling examples per label needs a label in every row");
      }
      byLabel.computeIfAbsent(e.label(), k -> new ArrayList<>()).add(i);
    }
    boolean[] chosen = new boolean[examples.size()];
    for (Map.Entry<String, List<Integer>> label : byLabel.entrySet()) {
      List<Integer> indices = label.getValue();
      Collections.shuffle(indices, new Random(mix(seed, label.getKey())));
      for (int i = 0; i < Math.min(perLabel, indices.size()); i++) {
        chosen[indices.get(i)] = true;
      }
    }
    List<Example> sample = new ArrayList<>();
    for (int i = 0; i < chosen.length; i++) {
      if (chosen[i]) {
        sample.add(examples.get(i));
      }
    }
    return sample;
  }

  /** A per-label seed: SplitMix64's finaliser over the seed and the label's hash. */
  private static long mix(long seed, String label) {
    long z = seed * 0x9E3779B97F4A7C15L + label.hashCode();
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
