package dev.jbert.finetune.calibrate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TemperatureBoundTest {

  /** Every message right: the NLL falls all the way to T → 0, and the fit says so instead of making every probability 1. */
  @Test
  void perfectlySeparatedDataHaveNoTemperatureToFit() {
    float[][] logits = {{3, 0}, {0, 2}, {4, 1}};
    int[] gold = {0, 1, 0};
    assertTrue(TemperatureScaling.separates(logits, gold));
    double t = TemperatureScaling.fit(logits, gold);
    assertTrue(t < 0.1 && TemperatureScaling.nll(logits, gold, t) < 1e-9, "T = " + t + ": the NLL only falls as T shrinks");
    float[][] mixed = {{3, 0}, {0, 2}, {1, 0}};
    int[] wrongOnce = {0, 1, 1};
    assertFalse(TemperatureScaling.separates(mixed, wrongOnce));
    assertFalse(TemperatureScaling.atBound(TemperatureScaling.fit(mixed, wrongOnce)));
    assertFalse(TemperatureScaling.separates(new float[][] {{1, 1}}, new int[] {0}), "a tie is not separated");
  }
}
