package dev.jbert.optim;

import dev.jbert.core.param.Parameters;
import java.util.Optional;

/**
 * Runs one optimizer step per {@code n} micro-batches, so that a large effective batch fits in
 * memory. Each micro-batch's {@code backward} adds the gradient of its mean loss into
 * {@link Parameters#grads()}; every {@code n}-th call of {@link #microBatchDone()} divides that sum
 * by {@code n} (the gradient of the mean over the window), then clips, steps and zeroes the
 * gradients. As the Hugging Face Trainer's {@code gradient_accumulation_steps}, but dividing once
 * at the end instead of scaling each micro-batch's loss: the same gradient, one pass over it.
 *
 * <pre>
 * var acc = new GradientAccumulation(optimizer, 4);
 * for (TokenBatch b : batches) {
 *   model.forward(b);
 *   model.loss(labels(b));
 *   model.backward();                            // grads += d(loss of b)
 *   acc.microBatchDone().ifPresent(log::step);   // every 4th: grads /= 4, step, zero
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

  /** Micro-batches accumulated since the last step. */
  public int pending() {
    return pending;
  }

  /**
   * Records that one micro-batch's gradients have been added; on the {@code n}-th, averages them,
   * clips, steps and zeroes the gradients and returns what the step did.
   */
  public Optional<StepResult> microBatchDone() {
    pending++;
    return pending == microBatches ? Optional.of(stepAndZero()) : Optional.empty();
  }

  /**
   * Steps on a partial window of {@code k < n} micro-batches (end of data or of an epoch): their sum
   * is divided by {@code k}, so the step sees the mean over the micro-batches actually seen. Empty
   * when nothing is pending.
   */
  public Optional<StepResult> flush() {
    return pending == 0 ? Optional.empty() : Optional.of(stepAndZero());
  }

  private StepResult stepAndZero() {
    if (pending > 1) {
      optimizer.parameters().grads().muli(1.0 / pending); // the sum of the window → the gradient of its mean
    }
    StepResult r = optimizer.step();
    optimizer.parameters().zeroGrad();
    pending = 0;
    return r;
  }
}
