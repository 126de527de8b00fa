package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jbert.core.param.Parameters;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What writes into the weights drops the values derived from them ({@link Parameters#derived}, the
 * packed copies of inference): an optimizer step and a swap of the weight average.
 */
class DerivedValuesTest {

  private static Parameters params() {
    Parameters p = Parameters.builder().add("w", 4, 3).build(DataType.FLOAT);
    p.values().assign(0.5);
    p.grads().assign(0.25);
    return p;
  }

  @Test
  void anOptimizerStepDropsThem() {
    Parameters p = params();
    AdamW opt = new AdamW(p, OptimizerConfig.builder().lr(0.1).build());
    Object before = p.derived("w#pack", Object.class, Object::new);
    opt.step();
    assertNotSame(before, p.derived("w#pack", Object.class, Object::new));
  }

  @Test
  void aWeightAverageSwapDropsThem() {
    Parameters p = params();
    WeightAverage average = new WeightAverage(p, 0.9);
    Object before = p.derived("w#pack", Object.class, Object::new);
    average.update();
    assertSame(before, p.derived("w#pack", Object.class, Object::new), "folding into the average leaves the weights");
    average.swap();
    assertNotSame(before, p.derived("w#pack", Object.class, Object::new));
  }
}
