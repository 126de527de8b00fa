package dev.jbert.finetune.calibrate;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * How well a classifier's probabilities match its accuracy on labelled messages, before (temperature
 * 1) and after temperature scaling: the {@code calibration} block of {@code metrics.json} and
 * {@code jbert eval}.
 *
 * @param temperature the temperature applied after calibration (1 = none fitted)
 * @param fittedOn the split the temperature was fitted on ({@code validation}, {@code eval}), or
 *     {@code none}
 * @param bins the number of equal-width bins of the ECE
 * @param eceBeforeCalibration expected calibration error of {@code softmax(logits)}
 * @param ece expected calibration error of {@code softmax(logits / temperature)}
 * @param nllBeforeCalibration mean negative log-likelihood of the gold classes at temperature 1
 * @param nll the same at {@code temperature}
 * @param selectiveAccuracy at each of {@link SelectiveAccuracy#LEVELS}, with the probabilities at
 *     {@code temperature}: the share of messages answered at that confidence or more, and their accuracy
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class) // metrics.json keys in snake_case like the rest
public record CalibrationSummary(double temperature, String fittedOn, int bins, double eceBeforeCalibration, double ece,
    double nllBeforeCalibration, double nll, List<SelectiveAccuracy> selectiveAccuracy) {

  /**
   * Measures calibration of {@code logits} against {@code gold}.
   *
   * @param temperature the calibration temperature to compare with temperature 1
   */
  public static CalibrationSummary measure(float[][] logits, int[] gold, double temperature, String fittedOn) {
    boolean[] correct = correct(logits, gold);
    double[] calibrated = TemperatureScaling.confidences(logits, temperature);
    return new CalibrationSummary(temperature, fittedOn, CalibrationError.BINS,
        CalibrationError.expected(TemperatureScaling.confidences(logits, 1.0), correct),
        CalibrationError.expected(calibrated, correct),
        TemperatureScaling.nll(logits, gold, 1.0), TemperatureScaling.nll(logits, gold, temperature),
        SelectiveAccuracy.at(calibrated, correct, SelectiveAccuracy.LEVELS));
  }

  /** The reliability-diagram bins of {@code softmax(logits / temperature)}. */
  public static List<CalibrationError.Bin> bins(float[][] logits, int[] gold, double temperature) {
    return CalibrationError.bins(TemperatureScaling.confidences(logits, temperature), correct(logits, gold));
  }

  /** Whether each row's most probable class (the first of equal maxima) is its gold class. */
  static boolean[] correct(float[][] logits, int[] gold) {
    if (logits.length != gold.length) {
      throw new IllegalArgumentException(logits.length + " rows of logits for " + gold.length + " gold classes");
    }
    boolean[] ok = new boolean[gold.length];
    for (int i = 0; i < gold.length; i++) {
      int best = 0;
      for (int c = 1; c < logits[i].length; c++) {
        if (logits[i][c] > logits[i][best]) {
          best = c;
        }
      }
      ok[i] = best == gold[i];
    }
    return ok;
  }
}
