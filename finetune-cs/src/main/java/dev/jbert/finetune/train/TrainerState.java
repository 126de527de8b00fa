package dev.jbert.finetune.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jbert.finetune.batch.BatchPosition;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run stands, as saved in {@code trainer_state.json} beside the model and optimizer state of
 * a checkpoint. Together with the seed (batch order is a function of seed and epoch, dropout masks of
 * seed and micro-batch) this is all a resumed run needs to continue bit for bit.
 *
 * @param format {@value #FORMAT}
 * @param epoch epoch of the next batch (0-based)
 * @param batch the next batch within that epoch (0-based)
 * @param step optimizer steps done
 * @param windowLossSum sum of micro-batch losses since the last training-log entry
 * @param windowBatches number of those micro-batches
 * @param windowSequences number of sequences in them
 * @param bestMetric the best value of the selection metric so far, or null before any evaluation
 * @param bestLoss the evaluation loss of the best model, which breaks ties of the metric; null before
 *     any evaluation (and in checkpoints written before it was saved)
 * @param bestEpoch 1-based epoch of the best model kept in the output folder, 0 for none
 * @param badEvaluations evaluations since the last improvement (early stopping)
 * @param finished true when no more training will happen (all epochs, max steps, or early stop)
 * @param stopReason why training finished, or null
 * @param labels the head's labels by id
 * @param settings {@link FineTuneConfig#trajectory()} of the run
 * @param trainExamples number of training examples (after any validation split)
 */
public record TrainerState(
    @JsonProperty("format") String format,
    @JsonProperty("epoch") int epoch,
    @JsonProperty("batch") int batch,
    @JsonProperty("step") long step,
    @JsonProperty("window_loss_sum") double windowLossSum,
    @JsonProperty("window_batches") int windowBatches,
    @JsonProperty("window_sequences") long windowSequences,
    @JsonProperty("best_metric") Double bestMetric,
    @JsonProperty("best_loss") Double bestLoss,
    @JsonProperty("best_epoch") int bestEpoch,
    @JsonProperty("bad_evaluations") int badEvaluations,
    @JsonProperty("finished") boolean finished,
    @JsonProperty("stop_reason") String stopReason,
    @JsonProperty("labels") List<String> labels,
    @JsonProperty("settings") Map<String, String> settings,
    @JsonProperty("train_examples") int trainExamples) {

  /** Value of {@code format}; a different one is refused on resume. */
  public static final String FORMAT = "jbert-trainer-state/1";

  public TrainerState {
    labels = List.copyOf(labels);
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings)); // keeps the order of FineTuneConfig#trajectory
  }

  /** The state before the first step. */
  public static TrainerState initial(List<String> labels, Map<String, String> settings, int trainExamples) {
    return new TrainerState(FORMAT, 0, 0, 0, 0, 0, 0, null, null, 0, 0, false, null, labels, settings, trainExamples);
  }

  /** The position of the next batch. */
  public BatchPosition position() {
    return new BatchPosition(epoch, batch);
  }

  /**
   * Checks that a run with these labels, settings and training-set size may continue from this
   * state.
   *
   * @throws IllegalArgumentException naming the first difference
   */
  public void checkResumable(List<String> runLabels, Map<String, String> runSettings, int runTrainExamples) {
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException("checkpoint format '" + format + "' is not " + FORMAT);
    }
    for (Map.Entry<String, String> e : runSettings.entrySet()) {
      String saved = settings.get(e.getKey());
      if (!e.getValue().equals(saved)) {
        throw new IllegalArgumentException("cannot resume: the checkpoint was trained with " + e.getKey() + " = " + saved
            + ", this run has " + e.getValue());
      }
    }
    if (runTrainExamples != trainExamples) {
      throw new IllegalArgumentException("cannot resume: the checkpoint was trained on " + trainExamples
          + " examples, this run has " + runTrainExamples);
    }
    if (!runLabels.equals(labels)) {
      throw new IllegalArgumentException("cannot resume: the checkpoint's labels " + labels + " differ from this run's " + runLabels);
    }
  }
}
