package dev.jbert.finetune.ood;

/**
 * Scores how much a message looks like the intents a classifier was trained on. Higher is more in
 * scope; the hand-off answers when the score is below a threshold picked on validation data.
 * Implementations are immutable and thread-safe.
 */
public interface OodDetector {

  /** Which detector this is. */
  DetectorKind kind();

  /**
   * The in-scope score of one message.
   *
   * @param logits the head's raw outputs for the message
   * @param features its pooled output (the classifier's input); may be null for detectors that do
   *     not {@link DetectorKind#usesFeatures() use features}
   */
  double score(float[] logits, float[] features);

  /** {@link #score} of each row. */
  default double[] scores(float[][] logits, float[][] features) {
    double[] out = new double[logits.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = score(logits[i], features == null ? null : features[i]);
    }
    return out;
  }
}
