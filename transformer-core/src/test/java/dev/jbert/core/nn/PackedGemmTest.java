package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbert.core.kernel.FlatView;
import dev.jbert.core.kernel.Gemm;
import dev.jbert.core.kernel.PackedWeight;
import dev.jbert.core.param.ParameterScope;
import dev.jbert.core.param.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The packed inference GEMM ({@code c = a Wᵀ} with W packed once) against a plain triple loop in
 * double: rows that are not whole tiles, outputs that are not whole panels, inputs of any length,
 * from one row to many (the threads share the panels; past 128 rows they go block by block, the last
 * one partial), on views inside larger buffers. The tests run
 * with {@code --add-modules jdk.incubator.vector} (the build's test JVM options).
 */
class PackedGemmTest {

  @Test
  void onlyShortForwardOnlyProductsOfSmallModelsUseThePackedCopy() {
    assumeTrue(PackedWeight.preferred(), "models pack their weights only with the Vector API on 16-float vectors (AVX-512)");
    ParameterScope small = ParameterScope.root();
    ParameterScope.Tensor w = small.tensor("w", 8, 4);
    small.build(DataType.FLOAT);
    assertTrue(Projection.usesPacked(Projection.PACKED_MAX_ROWS, w, true));
    assertFalse(Projection.usesPacked(Projection.PACKED_MAX_ROWS + 1, w, true), "many rows: OpenBLAS");
    assertFalse(Projection.usesPacked(1, w, false), "a backward pass follows: OpenBLAS");

    ParameterScope big = ParameterScope.root();                       // one weight past the limit of the model's size
    ParameterScope.Tensor bigW = big.tensor("w", 8, 4);
    big.tensor("rest", Projection.PACKED_MAX_MODEL_SIZE - 31);
    Parameters bigModel = big.build(DataType.FLOAT);
    try {
      assertFalse(Projection.usesPacked(1, bigW, true), "a model above the size limit keeps OpenBLAS");
    } finally {
      bigModel.values().close();                                    // 256 MB off-heap: not left to the GC
    }
  }

  @ParameterizedTest
  @CsvSource({"1,7,5", "8,37,33", "12,50,97", "20,33,150", "13,96,611", "37,200,611", "32,384,1152", "64,384,384", "100,40,70", "301,24,50", "200,64,300"})
  void matchesTripleLoop(int m, int k, int n) {
    INDArray a = inside(random(1, 1.0, m, k), 37);
    INDArray w = inside(random(2, 1.0, n, k), 11);
    INDArray c = inside(random(3, 1.0, m, n), 5);          // overwritten, whatever it held
    Gemm.matmul(a, PackedWeight.of(w), c);
    double tol = 1e-5 * Math.sqrt(k);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double expected = 0;
        for (int p = 0; p < k; p++) {
          expected += a.getDouble(i, p) * w.getDouble(j, p);
        }
        double got = c.getDouble(i, j);
        double e = expected;
        int row = i;
        int col = j;
        assertTrue(Math.abs(got - e) <= tol, () -> m + "x" + k + "x" + n + ": c[" + row + ", " + col + "] = " + got
            + ", expected " + e);
      }
    }
  }

  @Test
  void thePackIsACopyAndSaysItsShape() {
    INDArray w = random(4, 1.0, 70, 9).castTo(DataType.FLOAT);
    PackedWeight packed = PackedWeight.of(w);
    assertEquals(70, packed.out());
    assertEquals(9, packed.in());
    assertEquals(4L * 9 * PackedWeight.panelWidth() * ((70 + PackedWeight.panelWidth() - 1) / PackedWeight.panelWidth()),
        packed.bytes(), "whole panels, the last one padded");
    INDArray a = random(5, 1.0, 3, 9).castTo(DataType.FLOAT);
    INDArray before = Nd4j.zeros(DataType.FLOAT, 3, 70);
    Gemm.matmul(a, packed, before);
    w.muli(2);
    INDArray after = Nd4j.zeros(DataType.FLOAT, 3, 70);
    Gemm.matmul(a, packed, after);
    assertEquals(before, after, "later writes to the weight are not seen by the pack");
  }

  @Test
  void badShapesAreRefused() {
    PackedWeight packed = PackedWeight.of(random(6, 1.0, 8, 4).castTo(DataType.FLOAT));
    INDArray a = Nd4j.zeros(DataType.FLOAT, 2, 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.matmul(a, packed, Nd4j.zeros(DataType.FLOAT, 2, 8)));
    assertTrue(e.getMessage().contains("[2, 5]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PackedWeight.of(Nd4j.zeros(DataType.DOUBLE, 8, 4)));
    assertThrows(IllegalArgumentException.class,
        () -> Gemm.matmul(Nd4j.zeros(DataType.DOUBLE, 2, 4), packed, Nd4j.zeros(DataType.DOUBLE, 2, 8)));
  }

  /** A FLOAT copy of {@code x}, placed {@code offset} elements into a larger zero-filled buffer. */
  private static INDArray inside(INDArray x, long offset) {
    INDArray buffer = Nd4j.zeros(DataType.FLOAT, offset + x.length() + 9);
    INDArray view = FlatView.of(buffer, offset, x.shape());
    view.assign(x.castTo(DataType.FLOAT));
    return view;
  }
}
