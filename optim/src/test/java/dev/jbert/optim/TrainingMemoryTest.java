package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.TokenBatch;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A long run of full training steps (forward, loss, backward, AdamW) on the tiny model, dropout on,
 * in float: memory in use after a full GC must not grow between step 100 and step 1000.
 *
 * <p>Three measures: the Java heap after GC; off-heap bytes JavaCPP tracks ({@link
 * Pointer#totalBytes()}; ND4J 1.0.0-M2.1 allocates its CPU buffers inside libnd4j, which this
 * does not see, so it only catches JavaCPP pointers made on the Java side); and the resident set
 * ({@link Pointer#physicalBytes()}), which does see libnd4j's buffers. The resident set still grows
 * by 15-30 MB after step 100 while the JVM compiles code and touches fresh young-generation pages
 * (then it stays flat to within 2 MB up to step 4000), hence its 48 MB bound: leaking one
 * attention-probability array per step ([8, 4, 32, 32] floats, 128 KB) would add 115 MB, leaking
 * anything parameter-sized (~30K floats, 120 KB) 108 MB. Step 550 is printed to show the settling.
 */
class TrainingMemoryTest {

  private static final long MB = 1 << 20;
  private static final int BATCH = 8;
  private static final int SEQ = 32;
  private static final int FIRST = 100;
  private static final int MIDDLE = 550;
  private static final int LAST = 1000;
  /** Growth allowed from step 100 to step 1000. */
  private static final long OFF_HEAP_BOUND = 1 * MB;
  private static final long HEAP_BOUND = 2 * MB;
  private static final long RSS_BOUND = 48 * MB;

  /** Memory in use after a full collection (native buffers of ND4J are freed when their Java objects are). */
  private record Snapshot(long offHeap, long rss, long heap) {
    static Snapshot take() throws InterruptedException {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(50); // let ND4J's deallocator threads drain their reference queues
      }
      return new Snapshot(Pointer.totalBytes(), Pointer.physicalBytes(), memory.getHeapMemoryUsage().getUsed());
    }

    String describe() {
      return String.format("off-heap %.2f MB, RSS %.1f MB, heap %.2f MB", offHeap / (double) MB, rss / (double) MB,
          heap / (double) MB);
    }
  }

  @Test
  void thousandTrainingStepsDoNotGrowMemory() throws Exception {
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(
        TorchAdamwReference.shared().resolve("models/tiny-random-bert"), DataType.FLOAT)) {
      model.train(); // dropout on: its masks are part of what must not leak
      AdamW opt = new AdamW(model.parameters(), OptimizerConfig.builder().lr(1e-4).weightDecay(0.01).maxGradNorm(1.0)
          .build());
      TokenBatch batch = randomBatch(new Random(7), BATCH, SEQ, model.config().vocabSize());
      int[] labels = new Random(8).ints(BATCH, 0, model.config().numLabels()).toArray();

      Snapshot first = null;
      Snapshot middle = null;
      long start = System.nanoTime();
      for (int step = 1; step <= LAST; step++) {
        model.parameters().zeroGrad();
        model.forward(batch);
        model.loss(labels);
        model.backward();
        opt.step();
        if (step == FIRST) {
          first = Snapshot.take();
        } else if (step == MIDDLE) {
          middle = Snapshot.take();
        }
      }
      double msPerStep = (System.nanoTime() - start) / 1e6 / LAST;
      Snapshot last = Snapshot.take();
      System.out.printf("training memory, tiny model %dx%d float, %.2f ms/step%n", BATCH, SEQ, msPerStep);
      System.out.printf("  step %4d: %s%n  step %4d: %s%n  step %4d: %s%n", FIRST, first.describe(), MIDDLE,
          middle.describe(), LAST, last.describe());

      assertTrue(last.offHeap() - first.offHeap() <= OFF_HEAP_BOUND, "off-heap grew from step " + FIRST + " to "
          + LAST + ": " + first.describe() + " -> " + last.describe());
      assertTrue(last.heap() - first.heap() <= HEAP_BOUND, "heap after GC grew from step " + FIRST + " to " + LAST
          + ": " + first.describe() + " -> " + last.describe());
      assertTrue(last.rss() - first.rss() <= RSS_BOUND, "resident memory grew from step " + FIRST + " to " + LAST
          + ": " + first.describe() + " -> " + last.describe());
    }
  }

  /** Random ids (special tokens included: any id is valid input), the last row right-padded. */
  private static TokenBatch randomBatch(Random random, int batch, int seq, int vocab) {
    int[][] ids = new int[batch][seq];
    int[][] mask = new int[batch][seq];
    for (int b = 0; b < batch; b++) {
      int length = b == batch - 1 ? seq / 2 : seq;
      for (int j = 0; j < seq; j++) {
        ids[b][j] = j < length ? 1 + random.nextInt(vocab - 1) : 0;
        mask[b][j] = j < length ? 1 : 0;
      }
    }
    return TokenBatch.of(ids, null, mask);
  }
}
