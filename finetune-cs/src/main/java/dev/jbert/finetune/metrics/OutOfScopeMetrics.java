package dev.jbert.finetune.metrics;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Objects;

/**
 * CLINC150's two numbers (Larson et al., 2019): accuracy on in-scope queries, and recall of
 * out-of-scope queries. A prediction counts as "out of scope" when it is the out-of-scope label or
 * the hand-off label (a low-confidence answer routed to a person); on an in-scope query a hand-off
 * is a miss.
 *
 * @param inScopeAccuracy share of in-scope queries given their exact intent
 * @param outOfScopeRecall share of out-of-scope queries predicted out of scope (NaN when there are none)
 * @param outOfScopePrecision share of out-of-scope predictions that were out of scope (NaN when none were made)
 * @param inScopeCount number of in-scope gold queries
 * @param outOfScopeCount number of out-of-scope gold queries
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class) // metrics.json keys as Hugging Face's: macro_f1, per_class
public record OutOfScopeMetrics(
    double inScopeAccuracy, double outOfScopeRecall, double outOfScopePrecision, int inScopeCount, int outOfScopeCount) {

  /**
   * @param gold true labels
   * @param predicted predicted labels (possibly the hand-off label)
   * @param outOfScopeLabel the gold label of out-of-scope queries, e.g. {@code oos}
   * @param handOffLabel the label a confidence threshold answers with, or null when none is used
   */
  public static OutOfScopeMetrics compute(List<String> gold, List<String> predicted, String outOfScopeLabel, String handOffLabel) {
    Objects.requireNonNull(outOfScopeLabel, "outOfScopeLabel");
    if (gold.size() != predicted.size()) {
      throw new IllegalArgumentException("gold has " + gold.size() + " labels, predicted " + predicted.size());
    }
    int inScope = 0;
    int inScopeCorrect = 0;
    int outOfScope = 0;
    int outOfScopeFound = 0;
    int predictedOutOfScope = 0;
    for (int i = 0; i < gold.size(); i++) {
      String p = predicted.get(i);
      boolean saysOutOfScope = p.equals(outOfScopeLabel) || p.equals(handOffLabel);
      if (saysOutOfScope) {
        predictedOutOfScope++;
      }
      if (gold.get(i).equals(outOfScopeLabel)) {
        outOfScope++;
        if (saysOutOfScope) {
          outOfScopeFound++;
        }
      } else {
        inScope++;
        if (p.equals(gold.get(i))) {
          inScopeCorrect++;
        }
      }
    }
    return new OutOfScopeMetrics(ratio(inScopeCorrect, inScope), ratio(outOfScopeFound, outOfScope),
        ratio(outOfScopeFound, predictedOutOfScope), inScope, outOfScope);
  }

  private static double ratio(int numerator, int denominator) {
    return denominator == 0 ? Double.NaN : (double) numerator / denominator;
  }
}
