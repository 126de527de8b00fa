package dev.jbert.core.io;

import dev.jbert.core.io.TorchPickle.TensorRef;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Cuts one tensor out of a decoded storage the way PyTorch addresses it: element
 * {@code (i_0, ..., i_{n-1})} lives at {@code offset + sum_d i_d * stride_d}. Checks the view stays
 * inside the storage before reading anything.
 */
final class StridedView {
  private StridedView() {}

  /**
   * The tensor's values, row-major.
   *
   * @param soleUser whether no other tensor shares {@code storage}; then a view covering the whole
   *     storage may take the array itself instead of a copy
   */
  static TensorData tensor(String name, TensorRef ref, float[] storage, boolean soleUser, Path file)
      throws CheckpointException {
    long[] size = ref.size();
    long[] stride = ref.stride();
    long numel;
    long last = ref.offset(); // highest storage index the view touches
    try {
      numel = TensorDataShapes.numel(size);
      for (int d = 0; d < size.length; d++) {
        if (size[d] > 0) {
          last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
        }
      }
    } catch (ArithmeticException e) {
      throw new CheckpointException(file, "tensor '" + name + "': size " + Arrays.toString(size) + " / stride "
          + Arrays.toString(stride) + " overflow");
    }
    if (numel > storage.length) {
      // only overlapping views (stride 0 broadcasts) have more elements than their storage; refusing
      // them keeps a lying size from allocating more than the file itself backs
      throw new CheckpointException(file, "tensor '" + name + "': size " + Arrays.toString(size) + " has " + numel
          + " elements, more than its storage's " + storage.length + " (overlapping views are not supported)");
    }
    if (numel > 0 && last >= storage.length) {
      throw new CheckpointException(file, "tensor '" + name + "': size " + Arrays.toString(size) + ", stride "
          + Arrays.toString(stride) + ", offset " + ref.offset() + " reach element " + last + " of a storage of "
          + storage.length + " (storage too small for the tensor)");
    }
    return new TensorData(name, size.clone(), values(ref, numel, storage, soleUser));
  }

  private static float[] values(TensorRef ref, long numel, float[] storage, boolean soleUser) {
    int n = (int) numel; // numel <= storage.length, checked above
    if (n == 0) {
      return new float[0];
    }
    int offset = (int) ref.offset();
    if (isRowMajor(ref.size(), ref.stride())) {
      if (soleUser && offset == 0 && n == storage.length) {
        return storage;
      }
      return Arrays.copyOfRange(storage, offset, offset + n);
    }
    return gather(ref.size(), ref.stride(), offset, n, storage);
  }

  /** Whether the strides are those of a contiguous row-major tensor (dims of size 1 have any stride). */
  private static boolean isRowMajor(long[] size, long[] stride) {
    long expected = 1;
    for (int d = size.length - 1; d >= 0; d--) {
      if (size[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= size[d];
    }
    return true;
  }

  /** Walks the multi-index in row-major order, moving the storage index by the strides. */
  private static float[] gather(long[] size, long[] stride, int offset, int n, float[] storage) {
    float[] out = new float[n];
    long[] index = new long[size.length];
    long at = offset;
    for (int i = 0; i < n; i++) {
      out[i] = storage[(int) at];
      for (int d = size.length - 1; d >= 0; d--) {
        index[d]++;
        at += stride[d];
        if (index[d] < size[d]) {
          break;
        }
        at -= stride[d] * size[d];
        index[d] = 0;
      }
    }
    return out;
  }
}
