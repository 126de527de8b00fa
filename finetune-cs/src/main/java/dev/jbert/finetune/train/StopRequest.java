package dev.jbert.finetune.train;

/**
 * Asks a running fine-tuning to stop early but cleanly: the trainer finishes the optimizer step it
 * is in, writes a checkpoint and {@link FineTuning#run} throws {@link TrainingStoppedException},
 * which says where the checkpoint is; a run with {@code resume} continues from it bit for bit.
 *
 * <p>Thread-safe: request from any thread, e.g. a shutdown hook on Ctrl-C (what {@code jbert train}
 * does).
 */
public final class StopRequest {

  private volatile boolean requested;

  /** Asks the run to stop after its current step. Idempotent. */
  public void request() {
    requested = true;
  }

  /** Whether a stop was requested. */
  public boolean isRequested() {
    return requested;
  }
}
