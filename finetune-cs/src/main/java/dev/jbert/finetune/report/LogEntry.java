package dev.jbert.finetune.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of {@code training_log.jsonl}: a logging step (loss, learning rate, speed) and/or an
 * evaluation (metrics by name). Absent values are left out of the JSON.
 *
 * @param step optimizer steps done so far
 * @param epoch epochs done so far, fractional (e.g. 1.5 = half way through the second epoch)
 * @param loss mean training loss since the previous entry, or null
 * @param lr learning rate at this step, or null
 * @param seqPerSec training throughput in sequences per second, or null
 * @param eval evaluation metrics by name (e.g. {@code accuracy}, {@code macro_f1}, {@code loss}),
 *     empty when this entry has no evaluation
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record LogEntry(
    @JsonProperty("step") long step,
    @JsonProperty("epoch") double epoch,
    @JsonProperty("loss") Double loss,
    @JsonProperty("lr") Double lr,
    @JsonProperty("seq_per_s") Double seqPerSec,
    @JsonProperty("eval") Map<String, Double> eval) {

  public LogEntry {
    eval = eval == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(eval));
  }

  /** A training-progress entry. */
  public static LogEntry train(long step, double epoch, double loss, double lr, double seqPerSec) {
    return new LogEntry(step, epoch, loss, lr, seqPerSec, Map.of());
  }

  /** An evaluation entry. */
  public static LogEntry evaluation(long step, double epoch, Map<String, Double> metrics) {
    return new LogEntry(step, epoch, null, null, null, metrics);
  }
}
