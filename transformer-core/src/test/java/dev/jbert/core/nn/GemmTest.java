package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.kernel.FlatView;
import dev.jbert.core.kernel.Gemm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The direct CBLAS products, cut over threads by rows or columns, against a plain triple loop. */
class GemmTest {

  /**
   * Every transpose combination, on views that start inside a larger buffer (as arena buffers and
   * fused QKV weights do), for shapes below the split size, cut by rows (M ≥ N) and cut by columns
   * (M < N, as at batch 1), with beta 0 and 1.
   */
  @ParameterizedTest
  @CsvSource({"false,false,FLOAT", "false,true,FLOAT", "true,false,FLOAT", "true,true,FLOAT",
      "false,false,DOUBLE", "false,true,DOUBLE", "true,false,DOUBLE", "true,true,DOUBLE"})
  void matchesTripleLoop(boolean transA, boolean transB, DataType type) {
    int[][] shapes = {{5, 7, 3}, {301, 90, 77}, {13, 96, 611}};       // m, k, n
    for (int[] s : shapes) {
      int m = s[0], k = s[1], n = s[2];
      for (double beta : new double[] {0.0, 1.0}) {
        INDArray a = inside(random(1, 1.0, transA ? k : m, transA ? m : k), type, 37);
        INDArray b = inside(random(2, 1.0, transB ? n : k, transB ? k : n), type, 11);
        INDArray c0 = random(3, 1.0, m, n);
        INDArray c = inside(c0, type, 5);
        Gemm.matmul(a, b, c, transA, transB, beta);
        double[][] expected = new double[m][n];
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double sum = beta * c0.getDouble(i, j);
            for (int p = 0; p < k; p++) {
              sum += (transA ? a.getDouble(p, i) : a.getDouble(i, p)) * (transB ? b.getDouble(j, p) : b.getDouble(p, j));
            }
            expected[i][j] = sum;
          }
        }
        double tol = type == DataType.FLOAT ? 1e-4 * Math.sqrt(k) : 1e-12 * k;
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double got = c.getDouble(i, j);
            assertTrue(Math.abs(got - expected[i][j]) <= tol, () -> "shape " + m + "x" + k + "x" + n + " beta " + beta
                + ": c[" + "] = " + got);
          }
        }
      }
    }
  }

  /** A copy of {@code x} as {@code type}, placed {@code offset} elements into a larger zero-filled buffer. */
  private static INDArray inside(INDArray x, DataType type, long offset) {
    INDArray buffer = Nd4j.zeros(type, offset + x.length() + 9);
    INDArray view = FlatView.of(buffer, offset, x.shape());
    view.assign(x.castTo(type));
    return view;
  }
}
