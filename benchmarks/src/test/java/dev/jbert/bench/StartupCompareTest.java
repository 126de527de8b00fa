package dev.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StartupCompareTest {

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, StartupCompare.median(List.of(1.0, 2.0, 9.0)));
    assertEquals(3.0, StartupCompare.median(List.of(1.0, 2.0, 4.0, 9.0)));
  }
}
