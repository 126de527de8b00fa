package dev.jbert.finetune.metrics;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;

/**
 * Accuracy, macro-averaged precision/recall/F1, per-class scores and the confusion matrix.
 *
 * <p>Conventions follow scikit-learn's defaults: a ratio with a zero denominator counts as 0, and the
 * macro averages run over the classes that occur in the gold labels or the predictions (classes of
 * the head absent from both are listed in {@link #perClass} with support 0 but not averaged).
 *
 * @param accuracy share of exact matches
 * @param macroPrecision unweighted mean of per-class precision
 * @param macroRecall unweighted mean of per-class recall
 * @param macroF1 unweighted mean of per-class F1
 * @param count number of examples scored
 * @param perClass scores of every class, by id
 * @param labels class names by id
 * @param confusion {@code [gold, predicted]} counts
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class) // metrics.json keys as Hugging Face's: macro_f1, per_class
public record ClassificationMetrics(
    double accuracy,
    double macroPrecision,
    double macroRecall,
    double macroF1,
    int count,
    List<ClassScores> perClass,
    List<String> labels,
    int[][] confusion) {

  /**
   * Scores predictions against gold ids.
   *
   * @param gold {@code [n]} true class ids
   * @param predicted {@code [n]} predicted class ids
   * @param labels class names by id; every id must be below its size
   */
  public static ClassificationMetrics compute(int[] gold, int[] predicted, List<String> labels) {
    if (gold.length != predicted.length) {
      throw new IllegalArgumentException("gold has " + gold.length + " ids, predicted " + predicted.length);
    }
    if (gold.length == 0) {
      throw new IllegalArgumentException("nothing to score");
    }
    int k = labels.size();
    int[][] confusion = new int[k][k];
    int correct = 0;
    for (int i = 0; i < gold.length; i++) {
      checkId(gold[i], k, "gold", i);
      checkId(predicted[i], k, "predicted", i);
      confusion[gold[i]][predicted[i]]++;
      if (gold[i] == predicted[i]) {
        correct++;
      }
    }
    List<ClassScores> perClass = new ArrayList<>(k);
    double sumP = 0;
    double sumR = 0;
    double sumF = 0;
    int present = 0;
    for (int c = 0; c < k; c++) {
      int tp = confusion[c][c];
      int goldCount = 0; // tp + fn: row sum
      int predictedCount = 0; // tp + fp: column sum
      for (int j = 0; j < k; j++) {
        goldCount += confusion[c][j];
        predictedCount += confusion[j][c];
      }
      double precision = ratio(tp, predictedCount);
      double recall = ratio(tp, goldCount);
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      perClass.add(new ClassScores(labels.get(c), precision, recall, f1, goldCount));
      if (goldCount + predictedCount > 0) {
        sumP += precision;
        sumR += recall;
        sumF += f1;
        present++;
      }
    }
    return new ClassificationMetrics((double) correct / gold.length, sumP / present, sumR / present, sumF / present,
        gold.length, List.copyOf(perClass), List.copyOf(labels), confusion);
  }

  private static double ratio(int numerator, int denominator) {
    return denominator == 0 ? 0 : (double) numerator / denominator;
  }

  private static void checkId(int id, int k, String which, int index) {
    if (id < 0 || id >= k) {
      throw new IllegalArgumentException(which + "[" + index + "] = " + id + " is not a class id 0.." + (k - 1));
    }
  }
}
