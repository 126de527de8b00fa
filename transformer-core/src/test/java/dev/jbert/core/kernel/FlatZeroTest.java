package dev.jbert.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FlatZeroTest {

  @Test
  void zeroesExactlyTheViewOfASlab() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray slab = Nd4j.ones(type, 100);
      INDArray view = FlatView.of(slab, 37, 3, 5);              // elements [37, 52)
      Flat.zero(view);
      for (int i = 0; i < 100; i++) {
        assertEquals(i >= 37 && i < 52 ? 0.0 : 1.0, slab.getDouble(i), type + " element " + i);
      }
    }
  }

  @Test
  void zeroesALargeViewInPartsOverTheThreads() {
    long n = Flat.ZERO_BLOCK * 5 / 4 + 3;                        // floats: 5 blocks of bytes and a bit
    INDArray slab = Nd4j.ones(DataType.FLOAT, n + 40);
    Flat.zero(FlatView.of(slab, 17, n));
    float[] all = slab.toFloatVector();
    for (int i = 0; i < all.length; i++) {
      if (all[i] != (i >= 17 && i < 17 + n ? 0f : 1f)) {
        throw new AssertionError("element " + i + " is " + all[i]);
      }
    }
  }

  @Test
  void zeroesAStridedViewElementByElement() {
    INDArray m = Nd4j.ones(DataType.FLOAT, 4, 6);
    Flat.zero(m.getColumn(2));                                   // not contiguous: ND4J's assign
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 6; c++) {
        assertEquals(c == 2 ? 0.0 : 1.0, m.getDouble(r, c), "element " + r + "," + c);
      }
    }
  }
}
