package dev.jbert.finetune.ood;

import dev.jbert.finetune.calibrate.TemperatureScaling;

/**
 * Energy score (Liu et al., 2020): energy {@code E(x) = −T·logsumexp(logits/T)}; the in-scope score
 * is {@code −E(x)}, so that higher is more in scope as for every detector. {@code T} is the model's
 * calibration temperature (1 when none was fitted, the paper's default).
 *
 * @param temperature &gt; 0
 */
public record EnergyDetector(double temperature) implements OodDetector {

  public EnergyDetector {
    TemperatureScaling.requireValid(temperature);
  }

  @Override
  public DetectorKind kind() {
    return DetectorKind.ENERGY;
  }

  @Override
  public double score(float[] logits, float[] features) {
    return temperature * TemperatureScaling.logSumExp(logits, temperature);
  }
}
