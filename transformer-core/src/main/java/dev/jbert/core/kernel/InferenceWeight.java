package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A linear layer's weight [out, in] laid out once for batch-1 inference: the Java kernel's panels
 * ({@link PackedWeight}) or MKL's packed blocks ({@link MklPackedWeight}). {@link Linear#forward(INDArray,
 * INDArray, InferenceWeight, INDArray)} multiplies by either.
 */
public sealed interface InferenceWeight permits PackedWeight, MklPackedWeight {

  /** Rows of the weight: the layer's outputs. */
  int out();

  /** Columns of the weight: the layer's inputs. */
  int in();

  /** {@code c = a · Wᵀ}: a [rows, in] and c [rows, out], FLOAT, contiguous. */
  void multiply(INDArray a, INDArray c);
}
