package dev.jbert.optim;

import dev.jbert.core.param.Parameters;
import java.util.Optional;

/**
 * Runs one optimizer step per {@code n} micro-batches, so that a large effective batch fits in
 * memory. The trainer scales each micro-batch loss by {@link #lossScale()} ({@code 1/n}) so that the
 * gradients the model adds into {@link Parameters#grads()} sum to the gradient of the mean loss;
 * every {@code n}-th call of {@link #microBatchDone()} clips, steps and zeroes the gradients.
 *
 * <pre>
 * var acc = new GradientAccumulation(optimizer, 4);
 * for (Batch b : batches) {
 *   model.forwardBackward(b, acc.lossScale());   // grads += d(loss / 4)
 *   acc.microBatchDone().ifPresent(log::step);
 * }
 * acc.flush().ifPresent(log::step);              // the last, shorter window
 * </pre>
 */
public final class GradientAccumulation {

  private final Optimizer optimizer;
  private final int microBatches;
  private int pending;

  /**
   * Accumulates over {@code microBatches} (1 = a step after every batch). Zeroes the gradients so
   * that the first window starts clean.
   */
  public GradientAccumulation(Optimizer optimizer, int microBatches) {
    if (microBatches < 1) {
      throw new IllegalArgumentException("gradient accumulation needs >= 1 micro-batch per step, got " + microBatches);
    }
    this.optimizer = optimizer;
    this.microBatches = microBatches;
    optimizer.parameters().zeroGrad();
  }

  /** The factor every micro-batch loss (and so its gradient) is multiplied by: {@code 1/n}. */
  public double lossScale() {
    return 1.0 / microBatches;
  }

  /** Micro-batches accumulated since the last step. */
  public int pending() {
    return pending;
  }

  /**
   * Records that one micro-batch's gradients have been added; on the {@code n}-th, clips, steps
   * and zeroes the gradients and returns what the step did.
   */
  public Optional<StepResult> microBatchDone() {
    pending++;
    return pending == microBatches ? Optional.of(stepAndZero()) : Optional.empty();
  }

  /**
   * Steps on a partial window of {@code k < n} micro-batches (end of data). Their gradients were
   * scaled by {@code 1/n}, so they are first multiplied by {@code n/k}: the step then sees the mean
   * over the micro-batches actually seen. Empty when nothing is pending.
   */
  public Optional<StepResult> flush() {
    if (pending == 0) {
      return Optional.empty();
    }
    if (pending < microBatches) {
      optimizer.parameters().grads().muli((double) microBatches / pending);
    }
    return Optional.of(stepAndZero());
  }

  private StepResult stepAndZero() {
    StepResult r = optimizer.step();
    optimizer.parameters().zeroGrad();
    pending = 0;
    return r;
  }
}
