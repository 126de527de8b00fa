package dev.jbert.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Forward passes are cut where padding costs more than another pass: short and long messages run
 * apart, equal ones together, within the input and token caps; the plan never costs more than one pass.
 */
class ForwardPlanTest {

  private static int[] repeat(int length, int times) {
    int[] a = new int[times];
    Arrays.fill(a, length);
    return a;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void equalLengthsShareOnePassUpToTheInputCap() {
    assertArrayEquals(new int[] {20}, ForwardPlan.cuts(repeat(12, 20), 32, 16384));
    assertArrayEquals(new int[] {32, 40}, ForwardPlan.cuts(repeat(12, 40), 32, 16384));
  }

  @Test
  void shortAndLongMessagesRunApart() {
    int[] lengths = concat(repeat(8, 16), repeat(60, 16));
    assertArrayEquals(new int[] {16, 32}, ForwardPlan.cuts(lengths, 32, 16384));
  }

  @Test
  void theTokenCapSplitsAndASingleOverlongInputStillRuns() {
    assertArrayEquals(new int[] {1, 2}, ForwardPlan.cuts(new int[] {60, 60}, 32, 100));
    assertArrayEquals(new int[] {1}, ForwardPlan.cuts(new int[] {500}, 32, 100));
    assertArrayEquals(new int[0], ForwardPlan.cuts(new int[0], 32, 100));
  }

  @Test
  void plansRespectTheCapsAndNeverCostMoreThanOnePass() {
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int[] lengths = new int[1 + random.nextInt(64)];
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = 3 + random.nextInt(62);
      }
      Arrays.sort(lengths);
      int[] ends = ForwardPlan.cuts(lengths, 32, 1024);
      double planned = 0;
      for (int k = 0, start = 0; k < ends.length; start = ends[k], k++) {
        int n = ends[k] - start;
        int longest = lengths[ends[k] - 1];
        assertTrue(n >= 1 && n <= 32);
        assertTrue(n == 1 || (long) n * longest <= 1024);
        planned += ForwardPlan.cost(n, longest);
      }
      assertTrue(ends[ends.length - 1] == lengths.length);
      if (lengths.length <= 32 && (long) lengths.length * lengths[lengths.length - 1] <= 1024) {
        assertTrue(planned <= ForwardPlan.cost(lengths.length, lengths[lengths.length - 1]) + 1e-9);
      }
    }
  }
}
