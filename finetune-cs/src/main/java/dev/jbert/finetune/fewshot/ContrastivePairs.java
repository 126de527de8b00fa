package dev.jbert.finetune.fewshot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The sentence pairs of SetFit's contrastive stage, built from labelled examples: in each of R
 * rounds ({@code num_iterations} in SetFit), every example is paired once with another example of
 * its label (target 1) and once with an example of another label (target 0), partners drawn
 * uniformly; the pairs are then shuffled. So there are as many positive pairs as negative ones,
 * {@code 2 · R · n} in all when every label has two examples or more. Unlike SetFit's sampler, an
 * example is never paired with itself (a positive of cosine 1 that teaches nothing); an example whose
 * label has no other example gets no pair of its own (it still appears as a negative partner), which
 * keeps the two kinds balanced.
 */
public final class ContrastivePairs {

  /** SetFit's default number of rounds ({@code num_iterations = 20}). */
  public static final int DEFAULT_ROUNDS = 20;

  /**
   * One pair of examples.
   *
   * @param left index of the first example
   * @param right index of the second
   * @param target 1 for the same label, 0 for different labels
   */
  public record Pair(int left, int right, double target) {}

  private ContrastivePairs() {}

  /**
   * @param labelIds the label of each example
   * @param rounds R, at least 1
   * @param seed the same labels, rounds and seed give the same pairs in the same order
   * @throws IllegalArgumentException with fewer than two labels (no negative pair exists)
   */
  public static List<Pair> build(int[] labelIds, int rounds, long seed) {
    if (rounds < 1) {
      throw new IllegalArgumentException("contrastive rounds must be >= 1, got " + rounds);
    }
    int classes = 0;
    for (int id : labelIds) {
      if (id < 0) {
        throw new IllegalArgumentException("label id " + id + " is negative");
      }
      classes = Math.max(classes, id + 1);
    }
    List<List<Integer>> members = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      members.add(new ArrayList<>());
    }
    for (int i = 0; i < labelIds.length; i++) {
      members.get(labelIds[i]).add(i);
    }
    long present = members.stream().filter(m -> !m.isEmpty()).count();
    if (present < 2) {
      throw new IllegalArgumentException("contrastive pairs need examples of at least two labels, got " + present);
    }
    Random random = new Random(seed);
    List<Pair> pairs = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < labelIds.length; i++) {
        List<Integer> same = members.get(labelIds[i]);
        if (same.size() < 2) {
          continue;
        }
        int self = Collections.binarySearch(same, i);         // members are in index order
        int k = random.nextInt(same.size() - 1);              // any member but i itself
        pairs.add(new Pair(i, same.get(k < self ? k : k + 1), 1));
        int n = random.nextInt(labelIds.length - same.size()); // the n-th example of another label
        pairs.add(new Pair(i, otherLabel(labelIds, labelIds[i], n), 0));
      }
    }
    Collections.shuffle(pairs, random);
    return pairs;
  }

  /** The {@code n}-th example (0-based, in index order) whose label is not {@code label}. */
  private static int otherLabel(int[] labelIds, int label, int n) {
    for (int i = 0; i < labelIds.length; i++) {
      if (labelIds[i] != label && n-- == 0) {
        return i;
      }
    }
    throw new IllegalStateException("no example of another label at position " + n);
  }
}
