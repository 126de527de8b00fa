package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.param.Parameters;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * N micro-batches give the step of their mean gradient (checked against {@link ScalarAdam} fed the
 * mean), and the short last window the step of its own mean.
 */
class GradientAccumulationTest {

  /** What a model's backward does: add {@code g} into the gradient buffer. */
  private static void backward(Parameters params, double[] g) {
    params.grads().addi(Nd4j.createFromArray(g));
  }

  @Test
  void accumulatedStepEqualsTheStepOfTheMeanGradient() {
    Parameters params = TinyLayout.random(DataType.DOUBLE, 21);
    OptimizerConfig config = OptimizerConfig.builder().lr(1e-2).weightDecay(0.01).maxGradNorm(1.0).build();
    AdamW opt = new AdamW(params, config);
    ScalarAdam ref = new ScalarAdam(TinyLayout.values(params), trainableAll(params),
        TinyLayout.perElement(params, n -> n.contains("bias") || n.contains("LayerNorm") ? 0 : 0.01),
        TinyLayout.perElement(params, n -> 1.0), ScalarAdam.Decay.DECOUPLED, 1e-2, 0.9, 0.999, 1e-8, 1.0, s -> 1.0);

    GradientAccumulation acc = new GradientAccumulation(opt, 3);
    Random rnd = new Random(5);
    // 7 micro-batches: two full windows of 3, then a window of 1 flushed at the end
    double[] sum = new double[(int) params.size()];
    int inWindow = 0;
    int steps = 0;
    for (int b = 0; b < 7; b++) {
      double[] g = TinyLayout.gradient(params, rnd, 0.4);
      backward(params, g);
      for (int i = 0; i < g.length; i++) {
        sum[i] += g[i];
      }
      inWindow++;
      Optional<StepResult> r = acc.microBatchDone();
      assertEquals(inWindow == 3, r.isPresent(), "step after micro-batch " + (b + 1));
      if (r.isPresent()) {
        checkStep(params, ref, r.get(), mean(sum, inWindow));
        java.util.Arrays.fill(sum, 0);
        inWindow = 0;
        steps++;
        assertEquals(0.0, params.grads().amaxNumber().doubleValue(), 0.0, "gradients zeroed after the step");
      }
    }
    assertEquals(1, acc.pending());
    StepResult last = acc.flush().orElseThrow();
    checkStep(params, ref, last, mean(sum, inWindow));
    assertEquals(steps + 1, opt.stepCount());
    assertTrue(acc.flush().isEmpty());
    assertThrows(IllegalArgumentException.class, () -> new GradientAccumulation(opt, 0));
  }

  private static void checkStep(Parameters params, ScalarAdam ref, StepResult r, double[] meanGrad) {
    ScalarAdam.Result e = ref.step(meanGrad);
    assertEquals(e.norm(), r.gradNorm(), 1e-13 * e.norm());
    TinyLayout.assertClosePerTensor(params, ref.p, TinyLayout.values(params), 1e-12, "step " + r.step());
  }

  private static double[] mean(double[] sum, int n) {
    double[] m = new double[sum.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = sum[i] / n;
    }
    return m;
  }

  private static boolean[] trainableAll(Parameters params) {
    boolean[] t = new boolean[(int) params.size()];
    java.util.Arrays.fill(t, true);
    return t;
  }
}
