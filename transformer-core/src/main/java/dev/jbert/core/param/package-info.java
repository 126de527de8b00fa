/**
 * Where a model's parameters live and how they are named: {@link dev.jbert.core.param.ParameterScope}
 * (candle's {@code VarBuilder}), through which each module declares its tensors under their Hugging
 * Face names, and {@link dev.jbert.core.param.Parameters}, the one flat buffer of values (and one of
 * gradients) that those declarations lay out. Loading, saving, freezing and weight decay work on
 * these names. Below the modules that declare parameters and the optimizers that update them.
 */
package dev.jbert.core.param;
