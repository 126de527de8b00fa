package dev.jbert.finetune.fewshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContrastivePairsTest {

  /** Labels 0 ×4, 1 ×3, 2 ×5, 3 ×1 (a label with a single example). */
  private static final int[] LABELS = {0, 1, 2, 0, 2, 1, 2, 0, 3, 2, 1, 0, 2};

  @Test
  void everyExampleWithAPartnerGetsOnePositiveAndOneNegativePerRound() {
    int rounds = 6;
    List<ContrastivePairs.Pair> pairs = ContrastivePairs.build(LABELS, rounds, 11);
    int withPartner = LABELS.length - 1;                       // all but the single example of label 3
    assertEquals(2 * rounds * withPartner, pairs.size());
    long positives = pairs.stream().filter(p -> p.target() == 1).count();
    assertEquals(rounds * withPartner, positives, "balanced");
    int[] leftCount = new int[LABELS.length];
    for (ContrastivePairs.Pair p : pairs) {
      assertNotEquals(p.left(), p.right(), "an example paired with itself: " + p);
      assertEquals(LABELS[p.left()] == LABELS[p.right()] ? 1.0 : 0.0, p.target(), "target of " + p);
      leftCount[p.left()]++;
    }
    for (int i = 0; i < LABELS.length; i++) {
      assertEquals(LABELS[i] == 3 ? 0 : 2 * rounds, leftCount[i], "pairs of example " + i);
    }
    assertTrue(pairs.stream().anyMatch(p -> p.right() == 8), "the single example still serves as a negative partner");
  }

  @Test
  void pairsAreShuffledAndReproducible() {
    List<ContrastivePairs.Pair> a = ContrastivePairs.build(LABELS, 3, 5);
    assertEquals(a, ContrastivePairs.build(LABELS, 3, 5));
    assertNotEquals(a, ContrastivePairs.build(LABELS, 3, 6));
    // shuffled: not the build order (example 0's positive, example 0's negative, example 1's, ...)
    assertTrue(a.subList(0, 6).stream().mapToInt(ContrastivePairs.Pair::left).distinct().count() > 2);
  }

  @Test
  void everySameLabelPartnerIsDrawnOverManyRounds() {
    List<ContrastivePairs.Pair> pairs = ContrastivePairs.build(LABELS, 200, 1);
    // example 2 (label 2) has partners 4, 6, 9, 12: each drawn, never itself
    for (int partner : new int[] {4, 6, 9, 12}) {
      assertTrue(pairs.stream().anyMatch(p -> p.left() == 2 && p.right() == partner && p.target() == 1), "partner " + partner);
    }
  }

  @Test
  void refusesOneLabelAndZeroRounds() {
    assertThrows(IllegalArgumentException.class, () -> ContrastivePairs.build(new int[] {0, 0, 0}, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> ContrastivePairs.build(LABELS, 0, 1));
  }
}
