package dev.jbert.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The product by a weight MKL packed, against the same product by the weight as stored. Runs in the
 * pom's on-mkl test execution only (MKL loaded in OpenBLAS's place); the default one leaves it out.
 */
class MklPackedWeightTest {

  @Test
  void mklCarriesTheProductsInThisTestRun() {
    assertTrue(MklPackedWeight.preferred(), "the on-mkl execution runs with jbert.blas=mkl");
  }

  @Test
  void packedProductMatchesTheProductOnTheWeightAsStored() {
    Nd4j.getRandom().setSeed(7);
    int[][] shapes = {{1536, 384}, {384, 1536}, {1152, 384}, {1001, 257}, {3, 5}};   // [out, in]
    for (int[] shape : shapes) {
      INDArray w = Nd4j.rand(DataType.FLOAT, shape[0], shape[1]).subi(0.5);
      MklPackedWeight packed = MklPackedWeight.of(w);
      assertEquals(shape[0], packed.out());
      assertEquals(shape[1], packed.in());
      for (int rows : new int[] {1, 7, 13, 32, 64}) {
        INDArray a = Nd4j.rand(DataType.FLOAT, rows, shape[1]).subi(0.5);
        INDArray expected = Nd4j.create(DataType.FLOAT, rows, shape[0]);
        Gemm.matmul(a, w, expected, false, true, 0.0);
        INDArray actual = Nd4j.create(DataType.FLOAT, rows, shape[0]).addi(Float.NaN);   // every element written
        Gemm.matmul(a, packed, actual);
        float scale = Math.max(1f, expected.amaxNumber().floatValue());
        assertArrayEquals(expected.data().asFloat(), actual.data().asFloat(), 2e-6f * scale * shape[1] / 64f,
            rows + " rows by [" + shape[0] + ", " + shape[1] + "]");
      }
    }
  }

  @Test
  void packingCopiesTheWeight() {
    INDArray w = Nd4j.rand(DataType.FLOAT, 96, 40);
    INDArray a = Nd4j.rand(DataType.FLOAT, 4, 40);
    MklPackedWeight packed = MklPackedWeight.of(w);
    INDArray before = Nd4j.create(DataType.FLOAT, 4, 96);
    Gemm.matmul(a, packed, before);
    w.muli(2);
    INDArray after = Nd4j.create(DataType.FLOAT, 4, 96);
    Gemm.matmul(a, packed, after);
    assertArrayEquals(before.data().asFloat(), after.data().asFloat(), 0f);
  }

  @Test
  void wrongShapesAndTypesSayWhat() {
    MklPackedWeight packed = MklPackedWeight.of(Nd4j.rand(DataType.FLOAT, 8, 6));
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> Gemm.matmul(Nd4j.rand(DataType.FLOAT, 2, 5), packed, Nd4j.create(DataType.FLOAT, 2, 8)));
    assertEquals("packed GEMM shapes: a [2, 5], W [8, 6], c [2, 8]", shape.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MklPackedWeight.of(Nd4j.rand(DataType.DOUBLE, 8, 6)));
  }
}
