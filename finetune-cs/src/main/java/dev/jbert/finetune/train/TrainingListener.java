package dev.jbert.finetune.train;

import dev.jbert.finetune.report.LogEntry;

/**
 * Hears what a {@link Trainer} does, e.g. to print progress ({@link ConsoleProgress}). Called
 * on the training thread; an exception thrown here stops training as a failed step would (the last
 * checkpoint stays as it was).
 */
public interface TrainingListener {

  /** Training is about to start, or to continue after {@code startStep} steps (resume). */
  default void onStart(TrainingPlan plan, long startStep) {}

  /** One optimizer step is done. */
  default void onStep(StepProgress progress) {}

  /** An entry was appended to the training log (training progress or an evaluation). */
  default void onLog(LogEntry entry) {}

  /** A checkpoint was written after {@code step} steps. */
  default void onCheckpoint(long step) {}

  /**
   * Training has finished (every epoch, max steps or early stopping), or stopped on a {@link
   * StopRequest}: then {@code state.finished()} is false and its stop reason says so.
   */
  default void onFinish(TrainerState state) {}

  /** A listener that does nothing. */
  TrainingListener NONE = new TrainingListener() {};

  /**
   * What one step did.
   *
   * @param step optimizer steps done (1 after the first)
   * @param totalSteps steps of the whole run
   * @param epoch epochs done, fractional
   * @param loss mean loss of the micro-batches of this step
   * @param lr learning rate the step used
   * @param gradNorm gradient norm before clipping
   * @param sequences sequences the step trained on
   */
  record StepProgress(long step, long totalSteps, double epoch, double loss, double lr, double gradNorm, int sequences) {}
}
