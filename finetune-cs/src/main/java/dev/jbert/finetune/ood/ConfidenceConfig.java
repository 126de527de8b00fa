package dev.jbert.finetune.ood;

/**
 * How a trained classifier's scores are calibrated and its unknown messages detected, after
 * training, on the held-out split.
 *
 * @param calibrate fit a temperature on the validation split (skipped when the final evaluation runs
 *     on training rows: a temperature fitted there would only learn that the model knows its training data)
 * @param detector the out-of-scope detector of the hand-off: {@value #AUTO} (the best AUROC on
 *     validation data with out-of-scope examples), a {@link DetectorKind} id, or null for none
 * @param inScopeRecall share of in-scope validation messages the detector's threshold keeps, in (0, 1]
 * @param knnK which nearest training neighbour the kNN detector measures
 */
public record ConfidenceConfig(boolean calibrate, String detector, double inScopeRecall, int knnK) {

  /** Pick the detector with the best AUROC on the validation split. */
  public static final String AUTO = "auto";

  /** Default in-scope recall: 95%, the share at which FPR95 is measured. */
  public static final double DEFAULT_IN_SCOPE_RECALL = 0.95;

  /** Calibration on, no detector, 95% in-scope recall, k = {@value KnnDetector#DEFAULT_K}. */
  public static final ConfidenceConfig DEFAULT =
      new ConfidenceConfig(true, null, DEFAULT_IN_SCOPE_RECALL, KnnDetector.DEFAULT_K);

  /** Checks the detector's name, the recall and k, naming the one out of range. */
  public ConfidenceConfig {
    if (detector != null && !detector.equals(AUTO)) {
      DetectorKind.of(detector); // names the choices when it is none of them
    }
    if (!(inScopeRecall > 0 && inScopeRecall <= 1)) {
      throw new IllegalArgumentException("in-scope recall must be in (0, 1], got " + inScopeRecall);
    }
    if (knnK < 1) {
      throw new IllegalArgumentException("k of the kNN detector must be >= 1, got " + knnK);
    }
  }

  /** Whether an out-of-scope detector is to be fitted. */
  public boolean fitsDetector() {
    return detector != null;
  }

  /** The same settings with calibration on or off. */
  public ConfidenceConfig withCalibrate(boolean value) {
    return new ConfidenceConfig(value, detector, inScopeRecall, knnK);
  }

  /** The same settings with another detector ({@value #AUTO}, a kind id, or null for none). */
  public ConfidenceConfig withDetector(String value) {
    return new ConfidenceConfig(calibrate, value, inScopeRecall, knnK);
  }

  /** The same settings with another in-scope recall target. */
  public ConfidenceConfig withInScopeRecall(double value) {
    return new ConfidenceConfig(calibrate, detector, value, knnK);
  }

  /** The same settings with another k for the kNN detector. */
  public ConfidenceConfig withKnnK(int value) {
    return new ConfidenceConfig(calibrate, detector, inScopeRecall, value);
  }
}
