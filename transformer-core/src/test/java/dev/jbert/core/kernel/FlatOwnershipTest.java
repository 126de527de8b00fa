package dev.jbert.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link Flat} handle keeps its array's memory: ND4J frees off-heap memory once the garbage
 * collector finds the buffer unreachable, and a kernel may be the last holder of an array (a
 * gradient made for one backward pass). Without the handle holding the buffer, the buffer below is
 * collected at the first full GC and its memory handed back to the allocator.
 */
class FlatOwnershipTest {

  private static final int N = 1000;                             // 4 KB: freed memory stays mapped, so the read does not fault

  @Test
  void aHandleKeepsTheArraysMemoryAliveAndIntact() throws InterruptedException {
    float[] values = new float[N];
    for (int i = 0; i < N; i++) {
      values[i] = i + 0.5f;
    }
    Watched watched = handleOnly(values);
    for (int i = 0; i < 5; i++) {                                // full collections, then time for ND4J's deallocator thread
      System.gc();
      Thread.sleep(20);
    }
    assertNotNull(watched.buffer().get(), "the array's buffer was collected while a handle on it was in use");
    float[] back = new float[N];
    watched.flat().get(0, back, 0, N);
    assertArrayEquals(values, back);
  }

  /** A handle on an array, and a weak reference that watches the array's buffer. */
  private record Watched(Flat flat, WeakReference<Object> buffer) {}

  /** A handle on a new array that nothing else references. */
  private static Watched handleOnly(float[] values) {
    INDArray a = Nd4j.createFromArray(values);
    return new Watched(Flat.of(a), new WeakReference<>(a.data()));
  }
}
