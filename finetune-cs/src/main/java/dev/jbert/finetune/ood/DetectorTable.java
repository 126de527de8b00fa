package dev.jbert.finetune.ood;

import dev.jbert.finetune.metrics.DetectionMetrics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Detectors side by side on the same labelled messages: thresholds for an in-scope recall, and for
 * each detector AUROC, FPR95, in-scope recall and accuracy, and out-of-scope recall ({@link
 * DetectorReport}).
 *
 * <p>When the classifier has an out-of-scope class (CLINC150's {@code oos} trained as a class), a
 * message it answers with that class is out of scope whatever the detector says; for AUROC,
 * FPR95 and thresholds such a message scores {@code −∞}, so that the numbers describe what the
 * hand-off does: the class and the detector together.
 *
 * @param gold {@code [n]} true class ids
 * @param predicted {@code [n]} predicted class ids
 * @param outOfScopeId the out-of-scope class id, or −1 when the head has none (then every message is in scope)
 */
public record DetectorTable(int[] gold, int[] predicted, int outOfScopeId) {

  public DetectorTable {
    if (gold.length != predicted.length || gold.length == 0) {
      throw new IllegalArgumentException("need one prediction per gold class, at least one; got "
          + gold.length + " and " + predicted.length);
    }
  }

  /** Whether the messages include out-of-scope ones, so that AUROC and FPR95 can be measured. */
  public boolean hasOutOfScope() {
    for (int g : gold) {
      if (g == outOfScopeId) {
        return true;
      }
    }
    return false;
  }

  /**
   * A threshold that keeps {@code recall} of the in-scope messages, halfway to the next lower
   * in-scope score ({@link DetectionMetrics#marginThreshold}); {@code
   * -Double.MAX_VALUE} (never hand off on the score) when the classifier's own out-of-scope answers
   * already lose more in-scope messages than the recall allows.
   *
   * @param scores {@code [n]} a detector's in-scope scores
   */
  public double thresholdFor(double[] scores, double recall) {
    double[] in = split(scores, true);
    if (in.length == 0) {
      throw new IllegalArgumentException("no in-scope messages to pick a threshold on");
    }
    double t = DetectionMetrics.marginThreshold(in, recall);
    return t == Double.NEGATIVE_INFINITY ? -Double.MAX_VALUE : t;
  }

  /** The report of one detector's {@code scores} at {@code threshold}. */
  public DetectorReport report(DetectorKind kind, double[] scores, double threshold) {
    double[] in = split(scores, true);
    double[] out = split(scores, false);
    int inScope = 0;
    int inScopeRight = 0;
    int outOfScope = 0;
    int outOfScopeFound = 0;
    for (int i = 0; i < gold.length; i++) {
      boolean handedOff = scores[i] < threshold;
      if (gold[i] == outOfScopeId) {
        outOfScope++;
        outOfScopeFound += handedOff || predicted[i] == outOfScopeId ? 1 : 0;
      } else {
        inScope++;
        inScopeRight += !handedOff && predicted[i] == gold[i] ? 1 : 0;
      }
    }
    return new DetectorReport(kind.id(), DetectionMetrics.auroc(in, out),
        out.length == 0 ? Double.NaN : DetectionMetrics.fprAtRecall(in, out, 0.95), threshold,
        DetectionMetrics.acceptedShare(in, threshold), inScope == 0 ? Double.NaN : (double) inScopeRight / inScope,
        outOfScope == 0 ? Double.NaN : (double) outOfScopeFound / outOfScope);
  }

  /** Each detector's scores of the messages, in {@link DetectorKind} order. */
  public static Map<DetectorKind, double[]> scores(Map<DetectorKind, OodDetector> detectors, float[][] logits,
      float[][] features) {
    Map<DetectorKind, double[]> out = new EnumMap<>(DetectorKind.class);
    detectors.forEach((kind, d) -> out.put(kind, d.scores(logits, kind.usesFeatures() ? features : null)));
    return out;
  }

  /**
   * The report with the highest AUROC (the earliest in {@link DetectorKind} order on a tie), or
   * null when no AUROC could be measured.
   */
  public static DetectorReport bestAuroc(List<DetectorReport> reports) {
    DetectorReport best = null;
    for (DetectorReport r : reports) {
      if (!Double.isNaN(r.auroc()) && (best == null || r.auroc() > best.auroc())) {
        best = r;
      }
    }
    return best;
  }

  /** Scores of in-scope ({@code inScope}) or out-of-scope messages; answers of the out-of-scope class count −∞. */
  private double[] split(double[] scores, boolean inScope) {
    if (scores.length != gold.length) {
      throw new IllegalArgumentException(scores.length + " scores for " + gold.length + " messages");
    }
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < gold.length; i++) {
      if ((gold[i] != outOfScopeId) == inScope) {
        out.add(predicted[i] == outOfScopeId && outOfScopeId >= 0 ? Double.NEGATIVE_INFINITY : scores[i]);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
