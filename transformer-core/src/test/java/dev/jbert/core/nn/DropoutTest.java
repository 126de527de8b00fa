package dev.jbert.core.nn;

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
      Dropout dropout = new Dropout(0.25, mode, buffers, 200, 100);
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
      Dropout dropout = new Dropout(0.5, mode, buffers, 50, 300);
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
      Dropout dropout = new Dropout(0.5, mode, buffers, 3, 4);
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
      Dropout dropout = new Dropout(0.3, mode, buffers, 6, 7);
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
}
