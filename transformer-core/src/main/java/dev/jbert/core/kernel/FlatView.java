package dev.jbert.core.kernel;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-major views into the memory of a contiguous array: the named tensors of a model's parameter
 * buffer, activation buffers carved from an arena, ranges of flat optimizer buffers, slices of a
 * batch.
 */
public final class FlatView {

  private FlatView() {}

  /**
   * A row-major {@code shape} view whose first element is {@code offset} elements past
   * {@code base}'s first element, sharing {@code base}'s memory; {@code base} must be contiguous.
   */
  public static INDArray of(INDArray base, long offset, long... shape) {
    long[] stride = new long[shape.length];
    long n = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      stride[i] = n;
      n *= shape[i];
    }
    if (offset < 0 || offset + n > base.length()) {
      throw new IllegalArgumentException("a view of " + Arrays.toString(shape) + " at element " + offset
          + " does not fit in an array of " + base.length());
    }
    return Nd4j.create(base.data(), shape, stride, base.offset() + offset, 'c', base.dataType());
  }
}
