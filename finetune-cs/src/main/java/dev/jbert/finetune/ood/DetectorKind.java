package dev.jbert.finetune.ood;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The out-of-scope detectors jbert offers. Each gives every message an in-scope score, higher = more
 * like the training intents; a message whose score is below the detector's threshold is handed off.
 */
public enum DetectorKind {
  /** Maximum softmax probability of the (temperature-scaled) logits (Hendrycks &amp; Gimpel, 2017). */
  SOFTMAX("softmax", false),
  /** Negative energy, {@code T·logsumexp(logits/T)} (Liu et al., 2020). */
  ENERGY("energy", false),
  /** Negative smallest Mahalanobis distance to a class mean of the pooled features (Lee et al., 2018). */
  MAHALANOBIS("mahalanobis", true),
  /** Negative cosine distance to the k-th nearest training feature (Sun et al., 2022). */
  KNN("knn", true);

  private final String id;
  private final boolean usesFeatures;

  DetectorKind(String id, boolean usesFeatures) {
    this.id = id;
    this.usesFeatures = usesFeatures;
  }

  /** The name in files and options: {@code softmax}, {@code energy}, {@code mahalanobis}, {@code knn}. */
  public String id() {
    return id;
  }

  /** Whether the detector reads the pooled features (and is fitted on the training set) rather than the logits alone. */
  public boolean usesFeatures() {
    return usesFeatures;
  }

  /** The kind named {@code id}; the error lists the names. */
  public static DetectorKind of(String id) {
    for (DetectorKind k : values()) {
      if (k.id.equals(id)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown out-of-scope detector '" + id + "'; one of "
        + Arrays.stream(values()).map(DetectorKind::id).collect(Collectors.joining(", ")));
  }
}
