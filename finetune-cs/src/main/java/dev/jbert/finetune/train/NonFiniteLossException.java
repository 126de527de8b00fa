package dev.jbert.finetune.train;

import dev.jbert.finetune.batch.BatchPosition;

/**
 * Training stopped because a loss was NaN or infinite: the parameters (or the data) have gone
 * wrong and further steps would only spread the damage. The last checkpoint is untouched.
 */
public final class NonFiniteLossException extends RuntimeException {

  private final long step;

  /**
   * @param step the optimizer step being computed (1 for the first)
   * @param position the micro-batch whose loss it was
   */
  public NonFiniteLossException(long step, BatchPosition position, double loss) {
    super("training stopped: the loss is " + loss + " at step " + step + " (epoch " + (position.epoch() + 1) + ", batch "
        + (position.batch() + 1) + "); lower the learning rate, check the data and the model weights, then "
        + "--resume from the last checkpoint or start again");
    this.step = step;
  }

  /** The optimizer step being computed when the loss went bad (1-based). */
  public long step() {
    return step;
  }
}
