package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbert.core.param.Parameters;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** HF {@code transformers.optimization} factors, by hand at the boundary steps. */
class LrScheduleTest {

  private static void assertFactors(LrSchedule s, double... expected) {
    for (int step = 0; step < expected.length; step++) {
      assertEquals(expected[step], s.factor(step), 1e-15, s.describe() + " at s=" + step);
    }
  }

  @Test
  void constant() {
    assertFactors(LrSchedule.constant(), 1, 1, 1);
  }

  @Test
  void constantWithWarmup() {
    assertFactors(LrSchedule.constantWithWarmup(4), 0, 0.25, 0.5, 0.75, 1, 1, 1);
    assertFactors(LrSchedule.constantWithWarmup(0), 1, 1); // max(1, 0) guards the division
  }

  @Test
  void linearWithWarmup() {
    // warmup 2, total 6: s/2 for s < 2, then (6 - s)/4, never below 0
    assertFactors(LrSchedule.linearWithWarmup(2, 6), 0, 0.5, 1, 0.75, 0.5, 0.25, 0, 0, 0);
    // the reference run: warmup 1, total 3 -> 0, 1, 0.5
    assertFactors(LrSchedule.linearWithWarmup(1, 3), 0, 1, 0.5, 0);
    assertFactors(LrSchedule.linearWithWarmup(0, 4), 1, 0.75, 0.5, 0.25, 0);
    // total == warmup: (total - s) / max(1, 0) -> 0 after warm-up
    assertFactors(LrSchedule.linearWithWarmup(2, 2), 0, 0.5, 0, 0);
  }

  @Test
  void cosineWithWarmup() {
    // warmup 2, total 10: progress (s-2)/8; 0.5 (1 + cos(pi * progress))
    double c1 = 0.5 * (1 + Math.cos(Math.PI / 8)); // s = 3
    assertFactors(LrSchedule.cosineWithWarmup(2, 10), 0, 0.5, 1, c1, 0.5 * (1 + Math.cos(Math.PI / 4)));
    assertEquals(0.5, LrSchedule.cosineWithWarmup(2, 10).factor(6), 1e-15); // half way
    assertEquals(0.0, LrSchedule.cosineWithWarmup(2, 10).factor(10), 1e-15);
    // past the end the half cosine comes back up (HF does the same with num_cycles 0.5)
    assertEquals(0.5 * (1 + Math.cos(Math.PI * 1.25)), LrSchedule.cosineWithWarmup(2, 10).factor(12), 1e-15);
  }

  @Test
  void namedSchedulesAndBadInput() {
    assertEquals(LrSchedule.linearWithWarmup(3, 9), LrSchedule.named("linear", 3, 9));
    assertEquals(LrSchedule.cosineWithWarmup(3, 9), LrSchedule.named("cosine", 3, 9));
    assertEquals(LrSchedule.constantWithWarmup(3), LrSchedule.named("constant_with_warmup", 3, 9));
    assertEquals(LrSchedule.constant(), LrSchedule.named("constant", 3, 9));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.named("polynomial", 1, 2));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.linearWithWarmup(5, 4));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.constantWithWarmup(-1));
  }

  @Test
  void optimizerStepTUsesFactorOfTMinusOne() {
    Parameters params = TinyLayout.random(DataType.DOUBLE, 3);
    AdamW opt = new AdamW(params, OptimizerConfig.builder().lr(0.1).schedule(LrSchedule.linearWithWarmup(2, 4)).build());
    double[] expected = {0.0, 0.05, 0.1, 0.05, 0.0};
    for (int t = 1; t <= expected.length; t++) {
      assertEquals(expected[t - 1], opt.currentLr(), 1e-17, "currentLr before step " + t);
      StepResult r = opt.step();
      assertEquals(expected[t - 1], r.lr(), 1e-17, "lr of step " + t);
      assertEquals(t, opt.stepCount());
    }
  }
}
