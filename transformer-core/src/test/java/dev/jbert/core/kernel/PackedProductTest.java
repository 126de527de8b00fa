package dev.jbert.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The packed product's slices, run one after another on one thread, in both orders: the first
 * slice run takes its own share and every panel of the others' (from their backs), the rest find
 * nothing left. The columns then come out in several runs, ascending and descending, and c must be
 * what one thread alone computes (the same tiles, so the same floats).
 */
class PackedProductTest {

  @ParameterizedTest
  @CsvSource({"32,384,1152,2", "8,37,300,2", "200,64,300,2", "13,96,611,3", "5,16,48,2"})
  void everyPanelComesOutWhicheverSliceTakesIt(int m, int k, int n, int threads) {
    INDArray a = Nd4j.rand(DataType.FLOAT, m, k).subi(0.5);
    PackedWeight w = PackedWeight.of(Nd4j.rand(DataType.FLOAT, n, k).subi(0.5));
    INDArray alone = Nd4j.zeros(DataType.FLOAT, m, n);
    Gemm.packedProduct(a, w, alone, null, 1).run(0, 0, 1);

    INDArray forward = Nd4j.zeros(DataType.FLOAT, m, n);
    Parallel.Body body = Gemm.packedProduct(a, w, forward, null, threads);
    for (int t = 0; t < threads; t++) {
      body.run(t, t, t + 1);
    }
    assertArrayEquals(alone.data().asFloat(), forward.data().asFloat(), "slices 0.." + (threads - 1));

    INDArray backward = Nd4j.zeros(DataType.FLOAT, m, n);
    body = Gemm.packedProduct(a, w, backward, null, threads);
    for (int t = threads - 1; t >= 0; t--) {
      body.run(t, t, t + 1);
    }
    assertArrayEquals(alone.data().asFloat(), backward.data().asFloat(), "slices " + (threads - 1) + "..0");
  }

  /**
   * The epilogue (GELU with its bias) acts once on every column, whichever slice stores it and in
   * however many runs: c holds the same floats as the product followed by GELU's pass of its own (the
   * plain loop below {@link Gelu#VECTOR_MIN_ROWS} rows), and the straightforward version (OpenBLAS's
   * product, then GELU) to float rounding.
   */
  @ParameterizedTest
  @CsvSource({"32,384,1536,2", "13,96,611,2", "5,16,40,3", "1,384,1536,2"})
  void theEpilogueActsOnceOnEveryColumnWhicheverSliceStoresIt(int m, int k, int n, int threads) {
    VectorGelu.warmUp();
    assertTrue(VectorGelu.warm(), "the vector GELU runs compiled");
    INDArray a = Nd4j.rand(DataType.FLOAT, m, k).subi(0.5);
    INDArray weight = Nd4j.rand(DataType.FLOAT, n, k).subi(0.5).muli(0.2);
    INDArray bias = Nd4j.rand(DataType.FLOAT, n).subi(0.5);
    PackedWeight w = PackedWeight.of(weight);
    INDArray product = Nd4j.zeros(DataType.FLOAT, m, n);
    Gemm.packedProduct(a, w, product, null, 1).run(0, 0, 1);
    Gelu.forward(product, product, bias);
    float[] expected = product.data().asFloat();

    Epilogue gelu = Gelu.epilogue(bias, n);
    for (boolean ascending : new boolean[] {true, false}) {
      INDArray c = Nd4j.valueArrayOf(new long[] {m, n}, Float.NaN, DataType.FLOAT);
      Parallel.Body body = Gemm.packedProduct(a, w, c, gelu, threads);
      for (int i = 0; i < threads; i++) {
        int t = ascending ? i : threads - 1 - i;
        body.run(t, t, t + 1);
      }
      assertArrayEquals(expected, c.data().asFloat(), ascending ? "slices in order" : "slices in reverse");
    }

    INDArray plain = Nd4j.zeros(DataType.FLOAT, m, n);
    Linear.forward(plain, a, weight, null);
    Gelu.forward(plain, null, plain, bias);
    assertArrayEquals(plain.data().asFloat(), expected, 1e-5f * (float) Math.sqrt(k));
  }

  @Test
  void aTileThatFailsToPackEndsTheProductWithItsErrorNotAWait() {
    int k = 64;
    INDArray a = Nd4j.rand(DataType.FLOAT, 24, k);                // three tiles of rows where c has four
    PackedWeight w = PackedWeight.of(Nd4j.rand(DataType.FLOAT, 8 * VectorGemm.PANEL, k));
    INDArray c = Nd4j.zeros(DataType.FLOAT, 32, 8 * VectorGemm.PANEL);
    for (int round = 0; round < 20; round++) {                   // either thread may claim the failing tile
      assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(IndexOutOfBoundsException.class,
          () -> Parallel.rows(2, 1, Gemm.packedProduct(a, w, c, null, 2))));
    }
  }

  @Test
  void aThreadWritesOnlyThePanelsItTook() {
    int m = 32;
    int k = 64;
    int n = 8 * VectorGemm.PANEL;
    INDArray a = Nd4j.rand(DataType.FLOAT, m, k).subi(0.5);
    PackedWeight w = PackedWeight.of(Nd4j.rand(DataType.FLOAT, n, k).subi(0.5));
    INDArray alone = Nd4j.zeros(DataType.FLOAT, m, n);
    Gemm.packedProduct(a, w, alone, null, 1).run(0, 0, 1);

    PanelShares[] shares = {new PanelShares(8, 2)};               // thread 0: [0, 4), thread 1: [4, 8)
    assertEquals(4, shares[0].next(1));                           // thread 1 took panels 4 and 5 ...
    assertEquals(5, shares[0].next(1));
    INDArray c = Nd4j.valueArrayOf(new long[] {m, n}, Float.NaN, DataType.FLOAT);
    Gemm.packedProduct(a, w, c, null, shares).run(0, 0, 1);            // ... thread 0 takes 0-3, then 7 and 6
    for (int row = 0; row < m; row++) {
      for (int col = 0; col < n; col++) {
        int panel = col / VectorGemm.PANEL;
        if (panel == 4 || panel == 5) {
          assertTrue(Float.isNaN(c.getFloat(row, col)), "c[" + row + ", " + col + "] was thread 1's to write");
        } else {
          assertEquals(alone.getFloat(row, col), c.getFloat(row, col), "c[" + row + ", " + col + "]");
        }
      }
    }
  }
}
