package dev.jbert.core.io;

import java.io.IOException;
import java.util.Arrays;

/**
 * One named tensor as stored in a checkpoint, converted to float32, row-major.
 *
 * @param name the checkpoint's own name, e.g. {@code encoder.layer.0.attention.self.query.weight}
 * @param shape dimensions, outermost first
 * @param data {@code product(shape)} values in row-major order
 */
public record TensorData(String name, long[] shape, float[] data) implements StoredTensor {

  /** Checks that {@code data} holds exactly {@code product(shape)} values. */
  public TensorData {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
    }
  }

  /** Hands over the whole array at once. */
  @Override
  public void read(ChunkSink sink) throws IOException {
    sink.accept(0, data, data.length);
  }

  /** Number of values. */
  public int numel() {
    return data.length;
  }
}
