package dev.jbert.core;

import dev.jbert.core.backend.Backend;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Timing harness (run by hand, not a unit test): MiniLM-L6 forward in eval mode and one training
 * step (forward + loss + backward, no optimizer) at batch × seq, float: wall-clock min and median
 * of several runs, and process CPU time per run (all threads, native ones included), which load from
 * other processes on a shared machine disturbs much less than wall-clock time.
 * Usage: {@code java ... dev.jbert.core.StepTiming [batch] [seq] [runs]}.
 */
public final class StepTiming {

  private StepTiming() {}

  public static void main(String[] args) throws Exception {
    int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int seq = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Path dir = Path.of(System.getProperty("jbert.shared", "../shared")).resolve("models/all-MiniLM-L6-v2");
    Backend.init();
    System.out.println(Backend.info());
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT)) {
      Random r = new Random(1);
      int[][] ids = new int[batch][seq];
      for (int[] row : ids) {
        for (int j = 0; j < seq; j++) {
          row[j] = 1000 + r.nextInt(20000);
        }
      }
      int[] labels = new int[batch];
      TokenBatch tokens = TokenBatch.of(ids, null, null);

      model.eval();
      double[] fwd = new double[runs];
      double fwdCpu = 0;
      for (int i = -2; i < runs; i++) {
        long t = System.nanoTime();
        long c = cpuNanos();
        model.forward(tokens);
        if (i >= 0) {
          fwd[i] = (System.nanoTime() - t) / 1e6;
          fwdCpu += (cpuNanos() - c) / 1e6 / runs;
        }
      }
      model.train();
      double[] step = new double[runs];
      double stepCpu = 0;
      for (int i = -2; i < runs; i++) {
        long t = System.nanoTime();
        long c = cpuNanos();
        model.parameters().zeroGrad();
        model.forward(tokens);
        model.loss(labels);
        model.backward();
        if (i >= 0) {
          step[i] = (System.nanoTime() - t) / 1e6;
          stepCpu += (cpuNanos() - c) / 1e6 / runs;
        }
      }
      System.out.printf("MiniLM %dx%d float: forward (eval) min %.1f median %.1f ms, CPU %.1f ms %s%n", batch, seq,
          min(fwd), median(fwd), fwdCpu, Arrays.toString(round(fwd)));
      System.out.printf("MiniLM %dx%d float: train step fwd+loss+bwd min %.1f median %.1f ms, CPU %.1f ms %s%n", batch,
          seq, min(step), median(step), stepCpu, Arrays.toString(round(step)));
      System.out.printf("activation buffers: %.1f MB%n", model.bert().activationBytes() / 1e6);
    }
  }

  /** CPU time of the whole process (every thread, native ones included). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double min(double[] a) {
    return Arrays.stream(a).min().orElse(Double.NaN);
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static double[] round(double[] a) {
    return Arrays.stream(a).map(v -> Math.round(v * 10) / 10.0).toArray();
  }
}
