package dev.jbert.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Every row is run exactly once, whether the pool threads are still spinning from the last kernel or
 * have parked since, and a failure in a slice reaches the caller.
 */
class ParallelTest {

  private static void assertEachRowOnce(int n, int minRows) {
    AtomicIntegerArray seen = new AtomicIntegerArray(n);
    Parallel.rows(n, minRows, (part, from, to) -> {
      for (int i = from; i < to; i++) {
        seen.incrementAndGet(i);
      }
    });
    for (int i = 0; i < n; i++) {
      assertEquals(1, seen.get(i), "row " + i + " of " + n);
    }
  }

  @Test
  void backToBackKernelsRunEveryRowOnce() {
    for (int call = 0; call < 2_000; call++) {
      assertEachRowOnce(1 + call % 97, 1 + call % 5);
    }
  }

  @Test
  void aKernelAfterTheThreadsParkedRunsEveryRowOnce() throws InterruptedException {
    for (int call = 0; call < 5; call++) {
      TimeUnit.NANOSECONDS.sleep(20 * Parallel.SPIN_NANOS); // long past the spin: the pool thread is parked
      assertEachRowOnce(1_000, 1);
    }
  }

  @Test
  void aFailingSliceFailsTheCall() {
    IllegalArgumentException boom = new IllegalArgumentException("slice 3");
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
        () -> Parallel.rows(64, 1, (part, from, to) -> {
          if (part == 3) {
            throw boom;
          }
        }));
    assertSame(boom, thrown);
    assertEachRowOnce(64, 1); // and the pool still works
  }
}
