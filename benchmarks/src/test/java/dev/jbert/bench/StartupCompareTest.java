package dev.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The median StartupCompare prints (shared with the bench's start-up line): odd and even counts. */
class StartupCompareTest {

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, JbertTiming.median(new double[] {1.0, 2.0, 9.0}));
    assertEquals(3.0, JbertTiming.median(new double[] {1.0, 2.0, 4.0, 9.0}));
  }
}
