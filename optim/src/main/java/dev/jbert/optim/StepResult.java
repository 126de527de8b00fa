package dev.jbert.optim;

/**
 * What one optimizer step did, for logging and for comparison with PyTorch.
 *
 * @param step the step number, 1 for the first step (PyTorch's {@code state["step"]} after it)
 * @param lr the base learning rate this step used (schedule applied; layer-wise multipliers not)
 * @param gradNorm global L2 norm of the trainable gradients before clipping
 * @param clipCoef factor the gradients were multiplied by: {@code min(1, maxNorm / (norm + 1e-6))},
 *     or 1 when clipping is off
 */
public record StepResult(long step, double lr, double gradNorm, double clipCoef) {}
