package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.kernel.FlatView;
import dev.jbert.core.param.Parameters;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code clip_grad_norm_} semantics: norm before clipping, coefficient clamped at 1, frozen left out. */
class GradientClippingTest {

  @Test
  void largeNormIsScaledToMaxNormOverNormPlusEps() {
    INDArray g = Nd4j.createFromArray(3.0, 4.0); // norm 5
    double norm = GradientClipping.clip(g, 1.0);
    assertEquals(5.0, norm, 0.0);
    double coef = 1.0 / (5.0 + 1e-6);
    assertArrayEquals(new double[] {3 * coef, 4 * coef}, g.toDoubleVector(), 1e-16);
  }

  @Test
  void smallNormIsLeftUntouched() {
    INDArray g = Nd4j.createFromArray(0.3, -0.4); // norm 0.5 < 1
    double[] before = g.toDoubleVector();
    assertEquals(0.5, GradientClipping.clip(g, 1.0), 1e-16);
    assertArrayEquals(before, g.toDoubleVector(), 0.0);
    // exactly at the threshold, the 1e-6 keeps the coefficient just below 1
    assertEquals(1.0 / (1.0 + 1e-6), GradientClipping.coefficient(1.0, 1.0), 0.0);
    assertEquals(1.0, GradientClipping.coefficient(0.999, 1.0), 0.0);
    assertEquals(1.0, GradientClipping.coefficient(1e9, Double.POSITIVE_INFINITY), 0.0);
    assertTrue(Double.isNaN(GradientClipping.coefficient(Double.NaN, 1.0)), "NaN norm propagates as in torch");
  }

  @Test
  void floatNormOfAMillionsLongViewIsAccurate() {
    // 3M+ float elements in a view at an odd offset: chunked dot summed in double vs a Java double sum
    int n = 3_000_017;
    INDArray whole = Nd4j.rand(DataType.FLOAT, n + 5).subi(0.5f);
    INDArray view = FlatView.of(whole, 3, n);
    double sum = 0;
    for (double x : view.toDoubleVector()) {
      sum += x * x;
    }
    double expected = Math.sqrt(sum);
    assertEquals(expected, GradientClipping.globalNorm(view), 1e-6 * expected);
  }

  @Test
  void optimizerNormLeavesFrozenGradientsOutEvenWhenNaN() {
    Parameters params = TinyLayout.random(DataType.DOUBLE, 5);
    OptimizerConfig config = OptimizerConfig.builder().lr(1e-3).maxGradNorm(1.0)
        .freeze(NameFilter.embeddingsAndLowerLayers(0).or(NameFilter.prefixes("bert.encoder.layer.1.attention."))).build();
    AdamW opt = new AdamW(params, config);
    double expectedSq = 0;
    for (String name : params.names()) {
      boolean frozen = name.startsWith("bert.embeddings.") || name.startsWith("bert.encoder.layer.1.attention.");
      double value = frozen ? Double.NaN : 2.0;
      params.grad(name).assign(value);
      expectedSq += frozen ? 0 : 4.0 * params.numel(name);
    }
    StepResult r = opt.step();
    double norm = Math.sqrt(expectedSq);
    assertEquals(norm, r.gradNorm(), 1e-13 * norm);
    assertEquals(1.0 / (norm + 1e-6), r.clipCoef(), 1e-15);
    // trainable gradients are clipped in place, frozen ones zeroed
    assertEquals(2.0 * r.clipCoef(), params.grad("classifier.bias").getDouble(0), 1e-15);
    assertEquals(0.0, params.grad("bert.encoder.layer.1.attention.self.query.bias").getDouble(0), 0.0);
  }
}
