package dev.jbert.finetune.eval;

import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.metrics.ClassificationMetrics;
import dev.jbert.finetune.metrics.OutOfScopeMetrics;
import dev.jbert.finetune.metrics.RegressionMetrics;
import dev.jbert.finetune.model.HandOff;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's results on labelled examples: the metrics, and each example's prediction (to pick a
 * hand-off threshold or write a report). Exactly one of {@code classification} and {@code regression}
 * is set.
 *
 * @param loss mean cross-entropy of the gold classes ({@code −log p(gold)}, unweighted), or the MSE
 * @param classification accuracy, macro-F1, per-class scores and confusion matrix, or null
 * @param regression MSE, MAE, Pearson and Spearman, or null
 * @param predicted {@code [n]} predicted class ids (classification), else empty
 * @param confidence {@code [n]} probability of the predicted class (classification), else empty
 * @param gold {@code [n]} gold class ids (classification), else empty
 * @param scores {@code [n]} predicted scores (regression), else empty
 */
public record Evaluation(
    double loss,
    ClassificationMetrics classification,
    RegressionMetrics regression,
    int[] predicted,
    double[] confidence,
    int[] gold,
    double[] scores) {

  /** Metric names {@link #metric} and {@link #summary} use. */
  public static final String LOSS = "loss";
  public static final String ACCURACY = "accuracy";
  public static final String MACRO_F1 = "macro_f1";
  public static final String MSE = "mse";
  public static final String MAE = "mae";
  public static final String PEARSON = "pearson";
  public static final String SPEARMAN = "spearman";

  public Evaluation {
    if ((classification == null) == (regression == null)) {
      throw new IllegalArgumentException("an evaluation is either classification or regression");
    }
  }

  /** Whether this is a regression evaluation. */
  public boolean isRegression() {
    return regression != null;
  }

  /** Number of examples evaluated. */
  public int count() {
    return isRegression() ? regression.count() : classification.count();
  }

  /**
   * The headline numbers by name, for the training log: {@code loss, accuracy, macro_f1} or {@code
   * loss, mse, mae, pearson, spearman}.
   */
  public Map<String, Double> summary() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(LOSS, loss);
    if (isRegression()) {
      m.put(MSE, regression.mse());
      m.put(MAE, regression.mae());
      m.put(PEARSON, regression.pearson());
      m.put(SPEARMAN, regression.spearman());
    } else {
      m.put(ACCURACY, classification.accuracy());
      m.put(MACRO_F1, classification.macroF1());
    }
    return m;
  }

  /** One number of {@link #summary()} by name; the error lists the names this evaluation has. */
  public double metric(String name) {
    Double value = summary().get(name);
    if (value == null) {
      throw new IllegalArgumentException("no metric '" + name + "' in a " + (isRegression() ? "regression" : "classification")
          + " evaluation; available: " + summary().keySet());
    }
    return value;
  }

  /**
   * CLINC150's in-scope accuracy and out-of-scope recall. With a hand-off, answers below its
   * threshold count as "out of scope" (routed to a person) — Larson et al.'s oos-threshold setting.
   *
   * @param labels the head's labels (the ids of this evaluation index them)
   * @param outOfScopeLabel the gold label of out-of-scope messages, e.g. {@code oos}
   * @param handOff the threshold applied, or null
   */
  public OutOfScopeMetrics outOfScope(LabelMap labels, String outOfScopeLabel, HandOff handOff) {
    return outOfScope(labels, outOfScopeLabel, handOff, confidence);
  }

  /**
   * {@link #outOfScope(LabelMap, String, HandOff)} with a hand-off by another detector: the answer
   * is handed off where {@code inScopeScores} (that detector's score of each example) is below the
   * threshold.
   */
  public OutOfScopeMetrics outOfScope(LabelMap labels, String outOfScopeLabel, HandOff handOff, double[] inScopeScores) {
    if (inScopeScores.length != gold.length) {
      throw new IllegalArgumentException(inScopeScores.length + " scores for " + gold.length + " examples");
    }
    if (isRegression()) {
      throw new IllegalStateException("out-of-scope metrics need a classification evaluation");
    }
    List<String> goldLabels = new ArrayList<>(gold.length);
    List<String> answers = new ArrayList<>(gold.length);
    for (int i = 0; i < gold.length; i++) {
      goldLabels.add(labels.label(gold[i]));
      boolean handedOff = handOff != null && handOff.handsOff(inScopeScores[i]);
      answers.add(handedOff ? handOff.handOffLabel() : labels.label(predicted[i]));
    }
    return OutOfScopeMetrics.compute(goldLabels, answers, outOfScopeLabel, handOff == null ? null : handOff.handOffLabel());
  }

  /** Whether a larger value of metric {@code name} is better ({@code loss}, {@code mse}, {@code mae}: smaller is). */
  public static boolean higherIsBetter(String name) {
    return !(name.equals(LOSS) || name.equals(MSE) || name.equals(MAE));
  }
}
