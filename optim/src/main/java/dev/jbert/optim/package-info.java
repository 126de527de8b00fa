/**
 * Optimizers for fine-tuning over {@link dev.jbert.core.param.Parameters}: {@link dev.jbert.optim.AdamW}
 * and {@link dev.jbert.optim.Adam} written out as PyTorch computes them, learning-rate schedules
 * with Hugging Face semantics ({@link dev.jbert.optim.LrSchedule}), global-norm gradient clipping
 * ({@link dev.jbert.optim.GradientClipping}), parameter groups chosen by name
 * ({@link dev.jbert.optim.ParamGroups}: weight-decay exemptions, freezing, layer-wise learning-rate
 * decay), gradient accumulation ({@link dev.jbert.optim.GradientAccumulation}) and resumable
 * optimizer state ({@link dev.jbert.optim.OptimizerStateFile}).
 *
 * <p>A step is the gradient norm (BLAS dot products, summed in double) and one fused Java pass per
 * element ({@code AdamKernel}: clip, decay, moments, update) over flat buffers that share the
 * layout of {@code Parameters}; nothing proportional to the model is allocated after construction.
 */
package dev.jbert.optim;
