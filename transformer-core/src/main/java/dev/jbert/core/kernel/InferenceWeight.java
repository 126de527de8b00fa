package dev.jbert.core.kernel;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A linear layer's weight [out, in] laid out once for batch-1 inference: the Java kernel's panels
 * ({@link PackedWeight}) or MKL's packed blocks ({@link MklPackedWeight}). {@link Linear#forward(INDArray,
 * INDArray, InferenceWeight, INDArray)} multiplies by either.
 */
public abstract sealed class InferenceWeight permits PackedWeight, MklPackedWeight {

  private final int out;
  private final int in;

  InferenceWeight(int out, int in) {
    this.out = out;
    this.in = in;
  }

  /** Rows of the weight: the layer's outputs. */
  public final int out() {
    return out;
  }

  /** Columns of the weight: the layer's inputs. */
  public final int in() {
    return in;
  }

  /** {@code c = a · Wᵀ}: a [rows, in] and c [rows, out], FLOAT, contiguous. */
  public abstract void multiply(INDArray a, INDArray c);

  /** Fails unless a is [rows, in] and c [rows, out], the shapes of {@link #multiply}. */
  final void requireShapes(INDArray a, INDArray c) {
    if (a.size(0) != c.size(0) || a.size(1) != in || c.size(1) != out) {
      throw new IllegalArgumentException("packed GEMM shapes: a " + Arrays.toString(a.shape()) + ", W [" + out + ", " + in
          + "], c " + Arrays.toString(c.shape()));
    }
  }
}
