package dev.jbert.finetune.train;

import java.nio.file.Path;

/**
 * A run stopped on a {@link StopRequest}: after step {@link #step()}, with its checkpoint written
 * (unless it stopped before its first step). Running again with {@code resume} continues it.
 */
public final class TrainingStoppedException extends RuntimeException {

  private final long step;
  private final Path checkpoint;

  /**
   * @param step optimizer steps done
   * @param checkpoint the checkpoint folder a resumed run starts from, or null when there is none
   */
  public TrainingStoppedException(long step, Path checkpoint) {
    super(checkpoint == null
        ? "training stopped on request before its first step; nothing to resume"
        : "training stopped on request after step " + step + "; checkpoint in " + checkpoint);
    this.step = step;
    this.checkpoint = checkpoint;
  }

  /** Optimizer steps done when the run stopped. */
  public long step() {
    return step;
  }

  /** The checkpoint folder to resume from, or null when the run stopped before it had one. */
  public Path checkpoint() {
    return checkpoint;
  }
}
