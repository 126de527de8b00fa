package dev.jbert.finetune.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SelectiveAccuracyTest {

  @Test
  void coverageAndAccuracyOfAHandComputedCase() {
    double[] confidence = {0.99, 0.97, 0.95, 0.9, 0.6, 0.3};
    boolean[] correct = {true, true, false, true, false, true};
    List<SelectiveAccuracy> at = SelectiveAccuracy.at(confidence, correct, 0.5, 0.95, 0.999);
    assertEquals(new SelectiveAccuracy(0.5, 5, 5 / 6.0, 3 / 5.0), at.get(0));
    assertEquals(new SelectiveAccuracy(0.95, 3, 0.5, 2 / 3.0), at.get(1), "0.95 itself is answered");
    assertEquals(0, at.get(2).answered());
    assertTrue(Double.isNaN(at.get(2).accuracy()), "nothing answered: no accuracy");
    assertThrows(IllegalArgumentException.class, () -> SelectiveAccuracy.at(new double[2], new boolean[1], 0.5));
  }

  /**
   * The promise a support lead relies on: labels drawn from softmax(z / 2.5), so softmax(z) is
   * over-confident. Before temperature scaling the answers given at 0.95 or more are right less
   * often than 95%; at the fitted temperature, answers at each level are right at least that often.
   */
  @Test
  void calibratedAnswersAtALevelAreRightAtLeastThatOften() {
    SampledLabels sample = SampledLabels.draw(40_000, 5, 10, 2.5, 11);
    float[][] logits = sample.logits();
    int[] gold = sample.gold();
    CalibrationSummary uncalibrated = CalibrationSummary.measure(logits, gold, 1.0, "none");
    SelectiveAccuracy overconfident = uncalibrated.selectiveAccuracy().get(3);
    assertEquals(0.95, overconfident.minConfidence());
    assertTrue(overconfident.accuracy() < 0.93, "softmax(z) over-promises: " + overconfident);

    CalibrationSummary calibrated = CalibrationSummary.measure(logits, gold, TemperatureScaling.fit(logits, gold), "validation");
    assertEquals(SelectiveAccuracy.LEVELS.length, calibrated.selectiveAccuracy().size());
    for (SelectiveAccuracy level : calibrated.selectiveAccuracy()) {
      assertTrue(level.answered() > 1_000, "enough answers to judge: " + level);
      assertTrue(level.accuracy() >= level.minConfidence() - 0.005, "calibrated answers keep the promise: " + level);
      assertTrue(level.coverage() < overconfidentCoverage(uncalibrated, level.minConfidence()),
          "the honest scores answer fewer messages alone: " + level);
    }
  }

  private static double overconfidentCoverage(CalibrationSummary s, double level) {
    return s.selectiveAccuracy().stream().filter(a -> a.minConfidence() == level).findFirst().orElseThrow().coverage();
  }
}
