package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbert.core.kernel.Gemm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
      Gemm.batched(a, b, c, transA, transB);
      assertEquals(expected, c, "batch " + n);
    }
  }

  /**
   * Blocks of wider arrays, as attention's heads in the [tokens, 3·hidden] projection: each product
   * reads and writes its blocks in place (the leading dimension the arrays' rows), equal to ND4J's
   * product of the same views, and leaves everything outside c's blocks as it was.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void blocksOfWiderArraysAreMultipliedInPlace(boolean transS) {
    int heads = 3, seq = 5, d = 4, sequences = 2, count = sequences * heads, width = 3 * heads * d;
    INDArray qkv = random(33, 1.0, sequences * seq, width);
    INDArray out = Nd4j.valueArrayOf(new long[] {sequences * seq, width}, 7.0, DataType.DOUBLE);
    Gemm.Block a = head(qkv, transS ? 0 : 1, heads, seq, d);         // [seq, d] blocks
    Gemm.Block b = head(qkv, 2, heads, seq, d);
    Gemm.Block c = head(out, 1, heads, seq, d);
    INDArray squares = Nd4j.zeros(DataType.DOUBLE, count, seq, seq);
    Gemm.Block s = new Gemm.Block(squares.reshape(count * seq, seq), seq, seq, i -> i * seq, i -> 0);
    // op(a) op(b) must be [seq, d]: a [seq, seq] block and a [seq, d] one
    Gemm.batched(count, a, b, s, false, true);                      // S = A Bᵀ, [seq, seq]
    Gemm.batched(count, s, b, c, transS, false);                    // C = op(S) B
    INDArray expectedOut = Nd4j.valueArrayOf(new long[] {sequences * seq, width}, 7.0, DataType.DOUBLE);
    for (int i = 0; i < count; i++) {
      INDArray ai = view(qkv, i, transS ? 0 : 1, heads, seq, d);
      INDArray bi = view(qkv, i, 2, heads, seq, d);
      INDArray si = Nd4j.gemm(ai, bi, false, true);
      assertEquals(si, squares.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()), "S of block " + i);
      view(expectedOut, i, 1, heads, seq, d).assign(Nd4j.gemm(si, bi, transS, false));
    }
    assertEquals(expectedOut, out);
    assertThrows(IllegalArgumentException.class, () -> Gemm.batched(count, a, a, c, false, false), "[seq, d]·[seq, d]");
  }

  private static Gemm.Block head(INDArray rows, int which, int heads, int seq, int d) {
    return new Gemm.Block(rows, seq, d, i -> i / heads * seq, i -> (which * heads + i % heads) * d);
  }

  private static INDArray view(INDArray rows, int i, int which, int heads, int seq, int d) {
    int r = i / heads * seq;
    int c = (which * heads + i % heads) * d;
    return rows.get(NDArrayIndex.interval(r, r + seq), NDArrayIndex.interval(c, c + d));
  }
}
