package dev.jbert.optim;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.backend.Backend;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timing harness (run by hand, not a unit test): one AdamW step (HF Trainer settings: weight decay
 * with bias/LayerNorm exempt, clipping at 1) over MiniLM-L6's float parameters, min and median of
 * several steps after warm-up, and process CPU time per step (less disturbed by other load). Usage: {@code java ... dev.jbert.optim.AdamWTiming [runs]}.
 */
public final class AdamWTiming {

  private AdamWTiming() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path dir = Path.of(System.getProperty("jbert.shared", "../shared")).resolve("models/all-MiniLM-L6-v2");
    Backend.init();
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT)) {
      var params = model.parameters();
      params.grads().assign(Nd4j.rand(DataType.FLOAT, params.size()).subi(0.5));
      AdamW opt = new AdamW(params, OptimizerConfig.builder().lr(2e-5).weightDecay(0.01).maxGradNorm(1.0).build());
      double[] ms = new double[runs];
      double[] normMs = new double[runs];
      double[] cpuMs = new double[runs];
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      for (int i = -3; i < runs; i++) {
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        opt.step();
        long t1 = System.nanoTime();
        long c1 = os.getProcessCpuTime();
        GradientClipping.globalNorm(params.grads()); // the part of a step before the update
        if (i >= 0) {
          ms[i] = (t1 - t0) / 1e6;
          cpuMs[i] = (c1 - c0) / 1e6;
          normMs[i] = (System.nanoTime() - t1) / 1e6;
        }
      }
      Arrays.sort(ms);
      Arrays.sort(normMs);
      Arrays.sort(cpuMs);
      System.out.printf("AdamW over %d floats: min %.1f ms, median %.1f ms, CPU (all threads) median %.1f ms"
          + " (gradient norm alone: median %.1f ms)%n", params.size(), ms[0], ms[runs / 2], cpuMs[runs / 2],
          normMs[runs / 2]);
    }
  }
}
