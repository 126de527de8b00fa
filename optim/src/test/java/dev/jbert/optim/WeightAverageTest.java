package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.param.Parameters;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The exponential moving average against a scalar recurrence, its swap, and its file. */
class WeightAverageTest {

  @TempDir Path tmp;

  /** Two tensors, 10,003 elements: more than one tile, the last one partial. */
  private static Parameters params(DataType type, long seed) {
    Parameters.Builder b = Parameters.builder();
    b.add("bert.encoder.layer.0.output.dense.weight", 97, 103);
    b.add("bert.encoder.layer.0.output.dense.bias", 12);
    Parameters p = b.build(type);
    Nd4j.getRandom().setSeed(seed);
    p.values().assign(Nd4j.rand(type, p.size()));
    return p;
  }

  private static double[] randomValues(int n, Random random) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextGaussian();
    }
    return v;
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void followsTheWarmedUpRecurrenceAndSwapsBackBitForBit(DataType type) {
    Parameters p = params(type, 1);
    int n = (int) p.size();
    double[] expected = p.values().toDoubleVector();
    WeightAverage average = new WeightAverage(p, 0.99);
    Random random = new Random(7);
    for (int t = 1; t <= 30; t++) { // d_t = min(0.99, (1+t)/(10+t)) rises from 0.18 to 0.76
      double[] theta = randomValues(n, random);
      p.values().assign(Nd4j.createFromArray(theta).castTo(type));
      average.update();
      double d = Math.min(0.99, (1.0 + t) / (10.0 + t));
      for (int i = 0; i < n; i++) {
        expected[i] = d * expected[i] + (1 - d) * theta[i];
      }
    }
    assertEquals(30, average.updates());
    double[] live = p.values().toDoubleVector();
    average.swap();
    assertArrayEquals(expected, p.values().toDoubleVector(), type == DataType.DOUBLE ? 1e-12 : 1e-5);
    average.swap();
    assertArrayEquals(live, p.values().toDoubleVector(), 0.0, "two swaps give the live weights back exactly");
  }

  @Test
  void unchangedParametersKeepTheirValueInTheAverage() {
    Parameters p = params(DataType.FLOAT, 2);
    double[] before = p.values().toDoubleVector();
    WeightAverage average = new WeightAverage(p, 0.999);
    for (int t = 0; t < 5; t++) {
      average.update();
    }
    average.swap();
    assertArrayEquals(before, p.values().toDoubleVector(), 1e-6, "a frozen tensor's average is the tensor, to the last bits");
  }

  @Test
  void saveAndLoadContinueExactlyAndAnotherDecayIsRefused() throws Exception {
    Parameters p = params(DataType.FLOAT, 3);
    WeightAverage average = new WeightAverage(p, 0.95);
    p.values().muli(2);
    average.update();
    average.update();
    Path file = tmp.resolve(WeightAverage.FILE_NAME);
    average.save(file);

    Parameters other = params(DataType.FLOAT, 4);
    WeightAverage restored = new WeightAverage(other, 0.95);
    restored.load(file);
    assertEquals(2, restored.updates());
    other.values().assign(p.values());
    average.update();
    restored.update();
    average.swap();
    restored.swap();
    assertArrayEquals(p.values().toFloatVector(), other.values().toFloatVector(), 0f);

    CheckpointException e = assertThrows(CheckpointException.class, () -> new WeightAverage(params(DataType.FLOAT, 5), 0.9).load(file));
    assertTrue(e.getMessage().contains("decay 0.95") && e.getMessage().contains(file.toString()), e.getMessage());
    Parameters.Builder b = Parameters.builder();
    b.add("bert.encoder.layer.0.output.dense.weight", 97, 103);
    b.add("classifier.weight", 3, 4);
    CheckpointException missing = assertThrows(CheckpointException.class,
        () -> new WeightAverage(b.build(DataType.FLOAT), 0.95).load(file));
    assertTrue(missing.getMessage().contains("'classifier.weight' is missing"), missing.getMessage());
  }

  @Test
  void refusesADecayOutsideTheOpenUnitInterval() {
    assertThrows(IllegalArgumentException.class, () -> new WeightAverage(params(DataType.FLOAT, 6), 1.0));
    assertThrows(IllegalArgumentException.class, () -> new WeightAverage(params(DataType.FLOAT, 6), 0));
  }
}
