package dev.jbert.optim;

import dev.jbert.core.param.Parameters;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A first-order optimizer over the flat buffers of {@link Parameters}.
 *
 * <p>One {@link #step()} is PyTorch's {@code clip_grad_norm_(); optimizer.step(); scheduler.step()}:
 * it reads the gradients in {@link Parameters#grads()}, clips them in place, updates the values in
 * place and advances the learning-rate schedule. Gradients of frozen tensors are never used: those
 * laid out between trainable tensors are zeroed first (so NaN there is harmless), the others are
 * not read at all. It does not zero the gradients afterwards; call {@link Parameters#zeroGrad()}
 * (or use {@link GradientAccumulation}, which does).
 */
public interface Optimizer {

  /** Clips the gradients, updates the trainable parameters and advances the schedule. */
  StepResult step();

  /** Steps taken so far (0 before the first); also the schedule position. */
  long stepCount();

  /** The base learning rate the next step will use (HF's {@code scheduler.get_last_lr()}). */
  double currentLr();

  /** The parameters this optimizer updates. */
  Parameters parameters();

  /** Which tensors are trained, decayed and at what learning-rate multiplier. */
  ParamGroups groups();

  /** Writes moments, step count and settings to {@code file}, atomically. */
  void save(Path file) throws IOException;

  /**
   * Reads what {@link #save} wrote, after checking that the file matches this optimizer (kind,
   * parameter names and shapes, trainable set, hyperparameters); on a mismatch nothing changes.
   */
  void restore(Path file) throws IOException;
}
