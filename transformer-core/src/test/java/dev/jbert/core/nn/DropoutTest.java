package dev.jbert.core.nn;

import dev.jbert.core.kernel.Flat;
import static dev.jbert.core.nn.FiniteDifferences.assertGradient;
import static dev.jbert.core.nn.FiniteDifferences.dot;
import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DropoutTest {

  @Test
  void trainingDropsAboutPAndScalesTheRest() {
    TrainingMode mode = new TrainingMode(1);
    mode.setTraining(true);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.DropoutOp dropout = new Ops.DropoutOp(0.25, mode, buffers, 200, 100);
      INDArray x = Nd4j.ones(DataType.DOUBLE, 200, 100);
      double[] y = Flat.of(dropout.forward(x)).toArray();
      int zeros = 0;
      for (double v : y) {
        if (v == 0) {
          zeros++;
        } else {
          assertEquals(1 / 0.75, v, 1e-15);
        }
      }
      assertEquals(0.25, zeros / 20000.0, 0.01);
    }
  }

  @Test
  void sameSeedGivesTheSameMaskAndANewDrawGivesAnother() {
    TrainingMode mode = new TrainingMode(1);
    mode.setTraining(true);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.DropoutOp dropout = new Ops.DropoutOp(0.5, mode, buffers, 50, 300);
      INDArray x = random(71, 1.0, 50, 300);
      mode.reseed(1234);
      INDArray first = dropout.forward(x).dup();
      INDArray second = dropout.forward(x).dup();
      mode.reseed(1234);
      INDArray again = dropout.forward(x).dup();
      assertEquals(first, again);
      assertNotEquals(first, second);
    }
  }

  @Test
  void evalModeAndTheGlobalSwitchMakeItTheIdentity() {
    TrainingMode mode = new TrainingMode(1);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.DropoutOp dropout = new Ops.DropoutOp(0.5, mode, buffers, 3, 4);
      INDArray x = random(72, 1.0, 3, 4);
      assertSame(x, dropout.forward(x), "eval mode");
      mode.setTraining(true);
      mode.setDropoutEnabled(false);
      assertSame(x, dropout.forward(x), "switched off while training");
      INDArray dy = random(73, 1.0, 3, 4);
      assertSame(dy, dropout.backward(dy));
      mode.setDropoutEnabled(true);
      assertTrue(dropout.forward(x) != x);
    }
  }

  @Test
  void backwardWithTheMaskFixedMatchesFiniteDifferences() {
    TrainingMode mode = new TrainingMode(1);
    mode.setTraining(true);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Ops.DropoutOp dropout = new Ops.DropoutOp(0.3, mode, buffers, 6, 7);
      INDArray x = random(74, 1.0, 6, 7);
      INDArray dy = random(75, 1.0, 6, 7);
      mode.reseed(8);
      dropout.forward(x);
      INDArray dx = dropout.backward(dy).dup();
      assertGradient("x", x, dx, () -> {
        mode.reseed(8);
        return dot(dropout.forward(x), dy);
      }, 20, 76);
    }
  }
  @Test
  void maskInPlaceAppliesTheSameMaskAsBackward() {
    TrainingMode mode = new TrainingMode(1);
    mode.setTraining(true);
    try (Buffers buffers = new Buffers(DataType.FLOAT)) {
      Ops.DropoutOp dropout = new Ops.DropoutOp(0.4, mode, buffers, 5, 9);
      INDArray x = random(77, 1.0, 5, 9).castTo(DataType.FLOAT);
      INDArray dy = random(78, 1.0, 5, 9).castTo(DataType.FLOAT);
      dropout.forward(x);
      float[] expected = dropout.backward(dy).dup().data().asFloat();
      float[] row = dy.data().asFloat();
      double[] rowD = new double[row.length];
      for (int i = 0; i < row.length; i++) {
        rowD[i] = row[i];
      }
      dropout.maskInPlace(0, row, 0, 20);           // two calls, as a row kernel makes them
      dropout.maskInPlace(20, row, 20, row.length - 20);
      dropout.maskInPlace(0, rowD, 0, rowD.length);
      int dropped = 0;
      for (int i = 0; i < row.length; i++) {
        assertEquals(expected[i], row[i], 0.0, "float element " + i);
        assertEquals(expected[i], rowD[i], 1e-6, "double element " + i);
        dropped += expected[i] == 0f ? 1 : 0;
      }
      assertTrue(dropped > 0 && dropped < row.length, "the mask drops some but not all of 45: " + dropped);
    }
  }
}
