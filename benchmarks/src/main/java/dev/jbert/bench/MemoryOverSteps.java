package dev.jbert.bench;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.TokenBatch;
import dev.jbert.core.backend.Backend;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Memory over a long run of training steps (forward, loss, backward, AdamW, dropout on) at one
 * workload: at step 10, at every fifth of the run and at the last step, after a full GC, the
 * resident set, its peak, the Java heap in use and the off-heap bytes JavaCPP tracks (ND4J
 * 1.0.0-M2.1's CPU buffers live inside libnd4j and do not show there; the resident set holds them).
 */
final class MemoryOverSteps {

  private static final double MB = 1e6;
  private static final int FIRST_REPORT = 10;

  private MemoryOverSteps() {}

  static void run(Workload w, int steps) throws InterruptedException {
    Backend.init();
    try (BertForSequenceClassification model = new BertForSequenceClassification(w.shape().config(), DataType.FLOAT)) {
      Random random = new Random(0);
      TokenBatch batch = JbertTiming.randomBatch(random, w.batch(), w.seq(), model.config().vocabSize());
      int[] labels = random.ints(w.batch(), 0, model.config().numLabels()).toArray();
      JbertTiming.TrainStep step = new JbertTiming.TrainStep(model, batch, labels);
      int every = Math.max(FIRST_REPORT, steps / 5);
      long start = System.nanoTime();
      for (int s = 1; s <= steps; s++) {
        step.run(null);
        if (s == FIRST_REPORT || s % every == 0 || s == steps) {
          double msPerStep = (System.nanoTime() - start) / 1e6 / s;
          report(w, s, msPerStep);
        }
      }
    }
  }

  private static void report(Workload w, int step, double msPerStep) throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(100); // ND4J frees native buffers from its deallocator threads after the GC
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf(Locale.ROOT, "memory %s step %5d: RSS %7.1f MB, peak RSS %7.1f MB, heap after GC %6.1f MB,"
            + " JavaCPP off-heap %6.1f MB, %.0f ms/step so far%n", w, step, ProcessMemory.residentBytes() / MB,
        ProcessMemory.peakResidentBytes() / MB, heap / MB, Pointer.totalBytes() / MB, msPerStep);
  }
}
