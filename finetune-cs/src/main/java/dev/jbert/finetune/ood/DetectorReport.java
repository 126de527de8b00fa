package dev.jbert.finetune.ood;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One detector on labelled messages, as {@code metrics.json} and {@code jbert eval} report it.
 * In-scope messages are the positives; a message the classifier itself answers with the
 * out-of-scope class counts as detected whatever its score.
 *
 * @param detector the detector's id
 * @param auroc area under the ROC curve of in-scope vs out-of-scope messages (NaN without both)
 * @param fprAt95InScopeRecall share of out-of-scope messages still answered at the threshold that
 *     keeps 95% of the in-scope ones (FPR95; NaN without out-of-scope messages)
 * @param threshold the hand-off threshold applied (picked on validation data)
 * @param inScopeRecall share of in-scope messages not handed off at that threshold
 * @param inScopeAccuracy share of in-scope messages given their exact intent (a hand-off is a miss)
 * @param outOfScopeRecall share of out-of-scope messages handed off or answered out of scope (NaN without them)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class) // metrics.json keys in snake_case like the rest
public record DetectorReport(
    String detector,
    double auroc,
    @JsonProperty("fpr_at_95_in_scope_recall") double fprAt95InScopeRecall,
    double threshold,
    double inScopeRecall,
    double inScopeAccuracy,
    double outOfScopeRecall) {}
