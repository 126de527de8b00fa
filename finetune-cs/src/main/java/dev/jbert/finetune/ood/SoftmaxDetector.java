package dev.jbert.finetune.ood;

import dev.jbert.finetune.calibrate.TemperatureScaling;

/**
 * Maximum softmax probability (Hendrycks &amp; Gimpel, 2017): the top probability of {@code
 * softmax(logits / T)}, the same number {@code Prediction.score} reports, so its threshold is the
 * classic hand-off threshold.
 *
 * @param temperature the model's calibration temperature, &gt; 0 (1 = none)
 */
public record SoftmaxDetector(double temperature) implements OodDetector {

  public SoftmaxDetector {
    TemperatureScaling.requireValid(temperature);
  }

  @Override
  public DetectorKind kind() {
    return DetectorKind.SOFTMAX;
  }

  @Override
  public double score(float[] logits, float[] features) {
    return TemperatureScaling.topProbability(logits, temperature);
  }
}
