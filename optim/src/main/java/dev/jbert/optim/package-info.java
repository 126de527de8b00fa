/**
 * Optimizers for fine-tuning over {@link dev.jbert.core.Parameters}: {@link dev.jbert.optim.AdamW}
 * and {@link dev.jbert.optim.Adam} written out as PyTorch computes them, learning-rate schedules
 * with Hugging Face semantics ({@link dev.jbert.optim.LrSchedule}), global-norm gradient clipping
 * ({@link dev.jbert.optim.GradientClipping}), parameter groups chosen by name
 * ({@link dev.jbert.optim.ParamGroups}: weight-decay exemptions, freezing, layer-wise learning-rate
 * decay), gradient accumulation ({@link dev.jbert.optim.GradientAccumulation}) and resumable
 * optimizer state ({@link dev.jbert.optim.OptimizerStateFile}).
 *
 * <p>Every step is a handful of element-wise ND4J ops over flat buffers that share the layout of
 * {@code Parameters}; nothing loops over tensors and nothing proportional to the model is allocated
 * after construction.
 */
package dev.jbert.optim;
