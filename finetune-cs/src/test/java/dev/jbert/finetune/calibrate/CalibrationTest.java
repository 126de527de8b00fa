package dev.jbert.finetune.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationTest {

  /**
   * Labels drawn from softmax(z / 2.5): a model whose logits are z is over-confident by exactly T =
   * 2.5, and temperature scaling must find it.
   */
  @Test
  void temperatureScalingRecoversTheTemperatureLabelsWereSampledAt() {
    for (double trueT : new double[] {0.5, 2.5}) {
      SampledLabels sample = SampledLabels.draw(20_000, 5, 3, trueT, 7);
      float[][] logits = sample.logits();
      int[] gold = sample.gold();
      double t = TemperatureScaling.fit(logits, gold);
      assertEquals(trueT, t, 0.04 * trueT, "fitted T");
      double at = TemperatureScaling.nll(logits, gold, t);
      assertTrue(at <= TemperatureScaling.nll(logits, gold, t * 1.05) && at <= TemperatureScaling.nll(logits, gold, t / 1.05));
      // calibrated: ECE after is small, and smaller than before
      CalibrationSummary s = CalibrationSummary.measure(logits, gold, t, "validation");
      assertTrue(s.ece() < 0.02 && s.ece() < s.eceBeforeCalibration(), s.toString());
    }
  }

  @Test
  void eceOfAHandComputedCase() {
    // 0.9 and 0.9 in bin (13/15, 14/15]: accuracy 0.5, confidence 0.9; 0.6 in (8/15, 9/15]: 1 vs 0.6;
    // 0.2 in (2/15, 3/15]: 0 vs 0.2. ECE = 2/4·0.4 + 1/4·0.4 + 1/4·0.2 = 0.35
    double ece = CalibrationError.expected(new double[] {0.9, 0.9, 0.6, 0.2}, new boolean[] {true, false, true, false});
    assertEquals(0.35, ece, 1e-12);
    List<CalibrationError.Bin> bins = CalibrationError.bins(new double[] {0.9, 0.9, 0.6, 0.2}, new boolean[] {true, false, true, false});
    assertEquals(15, bins.size());
    assertEquals(2, bins.get(13).count());
    assertEquals(0.5, bins.get(13).accuracy(), 1e-12);
    assertEquals(1, bins.get(8).count());
    assertEquals(1, bins.get(2).count());
  }

  @Test
  void binEdgesBelongToTheLowerBin() {
    List<CalibrationError.Bin> bins = CalibrationError.bins(new double[] {0, 1.0 / 15, 2.0 / 15, 1}, new boolean[4]);
    assertEquals(2, bins.get(0).count(), "0 and 1/15");
    assertEquals(1, bins.get(1).count(), "2/15 is the upper edge of bin 1");
    assertEquals(1, bins.get(14).count());
    assertThrows(IllegalArgumentException.class, () -> CalibrationError.bins(new double[] {1.5}, new boolean[1]));
  }

  @Test
  void temperatureOneLeavesProbabilitiesAsTheyWere() {
    float[][] logits = {{1, 2, 3}};
    assertEquals(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)), TemperatureScaling.confidences(logits, 1)[0], 1e-12);
    assertEquals(Math.exp(1.5) / (Math.exp(0.5) + Math.exp(1) + Math.exp(1.5)), TemperatureScaling.confidences(logits, 2)[0], 1e-12);
    assertThrows(IllegalArgumentException.class, () -> TemperatureScaling.nll(logits, new int[] {0}, 0));
  }
}
