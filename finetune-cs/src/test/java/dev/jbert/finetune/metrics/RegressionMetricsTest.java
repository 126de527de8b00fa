package dev.jbert.finetune.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegressionMetricsTest {

  @Test
  void errorsByHand() {
    RegressionMetrics m = RegressionMetrics.compute(new double[] {1, 2, 3, 4}, new double[] {1.5, 2, 2, 6});
    assertEquals((0.25 + 0 + 1 + 4) / 4, m.mse(), 1e-15);
    assertEquals((0.5 + 0 + 1 + 2) / 4, m.mae(), 1e-15);
    assertEquals(4, m.count());
  }

  /** SciPy's documentation example: pearsonr([1, 2, 3, 4, 5], [10, 9, 2.5, 6, 4]) = -0.7426106572325057. */
  @Test
  void pearsonAgainstScipyDocs() {
    RegressionMetrics m = RegressionMetrics.compute(new double[] {1, 2, 3, 4, 5}, new double[] {10, 9, 2.5, 6, 4});
    assertEquals(-0.7426106572325057, m.pearson(), 1e-12);
  }

  /** SciPy's documentation example with a tie: spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) = 0.8207826816681233. */
  @Test
  void spearmanWithTiesAgainstScipyDocs() {
    RegressionMetrics m = RegressionMetrics.compute(new double[] {1, 2, 3, 4, 5}, new double[] {5, 6, 7, 8, 7});
    assertEquals(0.8207826816681233, m.spearman(), 1e-12);
  }

  /**
   * Ties on both sides, by hand: average ranks x → [2.5, 2.5, 1, 5, 5, 5, 7], y → [1, 2.5, 2.5, 5, 4,
   * 7, 6]; Pearson of those ranks = 0.8024583440524461 (numpy.corrcoef).
   */
  @Test
  void spearmanWithTiesOnBothSides() {
    RegressionMetrics m = RegressionMetrics.compute(new double[] {2, 2, 1, 3, 3, 3, 5}, new double[] {1, 2, 2, 4, 3, 6, 5});
    assertEquals(0.8024583440524461, m.spearman(), 1e-12);
  }

  @Test
  void constantPredictionsHaveNoCorrelation() {
    RegressionMetrics m = RegressionMetrics.compute(new double[] {1, 2, 3}, new double[] {2, 2, 2});
    assertTrue(Double.isNaN(m.pearson()));
    assertTrue(Double.isNaN(m.spearman()));
    assertEquals(2.0 / 3, m.mse(), 1e-15);
  }
}
