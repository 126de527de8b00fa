package dev.jbert.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Contiguous 1-D views into the flat buffers of {@link dev.jbert.core.Parameters}. */
final class FlatViews {
  private FlatViews() {}

  /** Elements {@code [offset, offset + length)} of the flat vector {@code flat}, sharing its memory. */
  static INDArray range(INDArray flat, long offset, long length) {
    if (offset < 0 || length < 0 || offset + length > flat.length()) {
      throw new IllegalArgumentException(
          "range [" + offset + ", " + (offset + length) + ") outside a flat buffer of " + flat.length());
    }
    return Nd4j.create(flat.data(), new long[] {length}, new long[] {1}, flat.offset() + offset, 'c', flat.dataType());
  }
}
