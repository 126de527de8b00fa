package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BatchedMatmulTest {

  /** Sliced across threads, every product equals ND4J's single rank-3 matmul, bit for bit. */
  @ParameterizedTest
  @CsvSource({"false,false", "false,true", "true,false", "true,true"})
  void equalsOneRank3Matmul(boolean transA, boolean transB) {
    for (int n : new int[] {7, 601}) { // 7: one call; 601 (odd, above the split size): slices of different sizes
      INDArray a = random(31, 1.0, n, transA ? 40 : 30, transA ? 30 : 40);
      INDArray b = random(32, 1.0, n, transB ? 20 : 40, transB ? 40 : 20);
      INDArray expected = Nd4j.zeros(DataType.DOUBLE, n, 30, 20);
      Nd4j.matmul(a, b, expected, transA, transB, false);
      INDArray c = Nd4j.zeros(DataType.DOUBLE, n, 30, 20);
      dev.jbert.core.kernel.Gemm.batched(a, b, c, transA, transB);
      assertEquals(expected, c, "batch " + n);
    }
  }
}
