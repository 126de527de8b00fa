package dev.jbert.finetune.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DetectionMetricsTest {

  private static final double[] IN = {0.9, 0.8, 0.5};
  private static final double[] OUT = {0.5, 0.3};

  @Test
  void aurocCountsTiesAsHalf() {
    // pairs: 0.9 and 0.8 beat both (4), 0.5 ties 0.5 (0.5) and beats 0.3 (1): 5.5 of 6
    assertEquals(5.5 / 6, DetectionMetrics.auroc(IN, OUT), 1e-12);
    assertEquals(1.0, DetectionMetrics.auroc(new double[] {2, 3}, new double[] {1}), 1e-12);
    assertEquals(0.5, DetectionMetrics.auroc(new double[] {1, 1}, new double[] {1}), 1e-12);
    assertTrue(Double.isNaN(DetectionMetrics.auroc(IN, new double[0])));
  }

  @Test
  void thresholdKeepsTheRequestedShareOfInScopeScores() {
    assertEquals(0.5, DetectionMetrics.thresholdForRecall(IN, 0.95), 0);     // ⌈2.85⌉ = 3 kept
    assertEquals(0.8, DetectionMetrics.thresholdForRecall(IN, 2.0 / 3), 0);  // 2 kept
    assertEquals(0.9, DetectionMetrics.thresholdForRecall(IN, 0.1), 0);
    double[] twenty = new double[20];
    for (int i = 0; i < 20; i++) {
      twenty[i] = i;
    }
    assertEquals(1, DetectionMetrics.thresholdForRecall(twenty, 0.95), 0, "19 of 20 kept, not 20");
  }

  @Test
  void theSavedThresholdSitsHalfwayToTheNextLowerInScopeScore() {
    assertEquals(0.4, DetectionMetrics.marginThreshold(new double[] {0.9, 0.8, 0.5, 0.3}, 0.75), 1e-15); // keeps 3; next 0.3
    assertEquals(0.65, DetectionMetrics.marginThreshold(IN, 2.0 / 3), 1e-15); // keeps 0.9, 0.8; next lower 0.5
    assertEquals(0.5, DetectionMetrics.marginThreshold(IN, 0.95), 0, "every score kept: nothing lower to move towards");
    assertEquals(0.6, DetectionMetrics.marginThreshold(new double[] {0.7, 0.7, 0.5, 0.9}, 0.5), 1e-15, "tied 0.7s kept together");
    double kept = 0.5;
    double adjacent = Math.nextDown(kept);
    assertEquals(kept, DetectionMetrics.marginThreshold(new double[] {adjacent, kept, 0.9}, 2.0 / 3), 0,
        "no double between adjacent scores: the kept score itself");
    for (double[] scores : new double[][] {IN, {0.7, 0.7, 0.5, 0.9}, {1e-9, 2e-9, 3e-9}}) {
      for (double recall : new double[] {0.1, 0.5, 2.0 / 3, 0.95, 1.0}) {
        assertEquals(DetectionMetrics.acceptedShare(scores, DetectionMetrics.thresholdForRecall(scores, recall)),
            DetectionMetrics.acceptedShare(scores, DetectionMetrics.marginThreshold(scores, recall)), 0,
            "the same scores kept at recall " + recall);
      }
    }
  }

  @Test
  void fprAtRecallCountsTiedOutOfScopeScoresAsAccepted() {
    assertEquals(0.5, DetectionMetrics.fprAtRecall(IN, OUT, 0.95), 0); // threshold 0.5 lets the tied 0.5 through
    assertEquals(0.0, DetectionMetrics.fprAtRecall(IN, OUT, 0.6), 0);   // threshold 0.8
    // ties inside the in-scope scores: both 0.7s are kept or refused together
    assertEquals(1.0, DetectionMetrics.acceptedShare(new double[] {0.7, 0.7}, 0.7), 0);
    assertEquals(0.7, DetectionMetrics.thresholdForRecall(new double[] {0.7, 0.7, 0.9}, 0.5), 0);
  }
}
