package dev.jbert.bench;

import dev.jbert.core.Backend;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's SGEMM ceiling as the benchmarks use it: {@code Nd4j.gemm} into a preallocated
 * output at a BERT shape (bert-base's FFN input, 2,048 tokens × 768 → 3,072, weight [out, in] with
 * transB, as {@code Linear} calls it), 2 threads. The percentages of the table are a model's
 * GFLOP/s over this figure, measured in the same run.
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
    for (int i = 0; i < 3; i++) {
      Nd4j.gemm(a, w, c, false, true, 1.0, 0.0);
    }
    double[] gflops = new double[calls];
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      Nd4j.gemm(a, w, c, false, true, 1.0, 0.0);
      gflops[i] = flops / (System.nanoTime() - start);
    }
    a.close();
    w.close();
    c.close();
    return new SgemmCeiling(m, k, n, JbertTiming.median(gflops), Arrays.stream(gflops).max().orElseThrow());
  }
}
