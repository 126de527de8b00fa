package dev.jbert.bench;

import dev.jbert.core.backend.Backend;
import dev.jbert.core.kernel.Gemm;
import dev.jbert.core.kernel.Parallel;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's SGEMM ceiling as the benchmarks use it: one GEMM into a preallocated output at a
 * BERT shape (bert-base's FFN input, 2,048 tokens × 768 → 3,072, weight [out, in] with transB, as
 * {@code Linear} calls it), 2 threads, the faster of two ways: jbert's {@code Gemm.matmul}
 * (single-threaded OpenBLAS blocks split over jbert's threads) and OpenBLAS threading one call
 * itself ({@code Nd4j.gemm} with OpenBLAS at the kernel thread count; jbert sets it to 1, so a
 * ceiling measured that way alone would be half the machine's). The percentages of the table are a
 * model's GFLOP/s over this figure, measured in the same run.
 *
 * @param m rows (tokens)
 * @param k inner dimension
 * @param n output columns
 * @param gflopsMedian median of the timed calls
 * @param gflopsBest the fastest call
 */
record SgemmCeiling(int m, int k, int n, double gflopsMedian, double gflopsBest) {

  /** Times {@code calls} GEMMs after 3 untimed ones. */
  static SgemmCeiling measure(int calls) {
    Backend.init();
    int m = 2048;
    int k = 768;
    int n = 3072;
    Nd4j.getRandom().setSeed(0);
    INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
    INDArray w = Nd4j.rand(DataType.FLOAT, n, k);
    INDArray c = Nd4j.zeros(DataType.FLOAT, m, n);
    double flops = 2.0 * m * k * n;
    double[] kernel = time(calls, flops, () -> Gemm.matmul(a, w, c, false, true, 0.0));
    int blasThreads = Nd4j.factory().blas().getMaxThreads();
    Nd4j.factory().blas().setMaxThreads(Parallel.threads());
    double[] blas;
    try {
      blas = time(calls, flops, () -> Nd4j.gemm(a, w, c, false, true, 1.0, 0.0));
    } finally {
      Nd4j.factory().blas().setMaxThreads(blasThreads);
    }
    a.close();
    w.close();
    c.close();
    double[] best = JbertTiming.median(kernel) >= JbertTiming.median(blas) ? kernel : blas;
    return new SgemmCeiling(m, k, n, JbertTiming.median(best), Arrays.stream(best).max().orElseThrow());
  }

  /** GFLOP/s of {@code calls} timed calls after 3 untimed ones. */
  private static double[] time(int calls, double flops, Runnable gemm) {
    for (int i = 0; i < 3; i++) {
      gemm.run();
    }
    double[] gflops = new double[calls];
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      gemm.run();
      gflops[i] = flops / (System.nanoTime() - start);
    }
    return gflops;
  }
}
