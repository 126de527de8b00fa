package dev.jbert.core.io;

import java.io.IOException;
import java.util.Arrays;

/**
 * One named tensor of a checkpoint: its name and shape, and its values as float32, handed over a
 * chunk at a time. A tensor of a safetensors file ({@link Checkpoints#open}) is read from the file
 * when asked, and {@link Safetensors#write} asks each tensor it writes, so that a model is loaded
 * and saved without a second copy of its weights on the Java heap ({@link #chunked} hands a model's
 * parameters over); a {@link TensorData} hands over the array it holds.
 */
public interface StoredTensor {

  /** Values in flat row-major order, from element {@code offset} on; {@code values} may be reused after the call. */
  @FunctionalInterface
  interface ChunkSink {
    void accept(long offset, float[] values, int count) throws IOException;
  }

  /** Copies elements {@code [from, from + count)} of a tensor into {@code dst[0, count)}. */
  @FunctionalInterface
  interface ChunkSource {
    void copy(long from, float[] dst, int count) throws IOException;
  }

  /** Most elements a chunk of {@link #chunked} holds. */
  int CHUNK = 1 << 16;

  /**
   * A tensor whose values {@code source} copies out a chunk of at most {@link #CHUNK} elements at a
   * time, e.g. from a model's parameters when they are saved, with no tensor-sized array.
   */
  static StoredTensor chunked(String name, long[] shape, ChunkSource source) {
    long[] dims = shape.clone();
    long numel = Arrays.stream(dims).reduce(1, Math::multiplyExact);
    return new StoredTensor() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long[] shape() {
        return dims.clone();
      }

      @Override
      public void read(ChunkSink sink) throws IOException {
        float[] chunk = new float[(int) Math.min(CHUNK, Math.max(1, numel))];
        for (long from = 0; from < numel; from += chunk.length) {
          int count = (int) Math.min(chunk.length, numel - from);
          source.copy(from, chunk, count);
          sink.accept(from, chunk, count);
        }
      }
    };
  }

  /** The checkpoint's own name, e.g. {@code encoder.layer.0.attention.self.query.weight}. */
  String name();

  /** Dimensions, outermost first. */
  long[] shape();

  /**
   * Hands every value to {@code sink}, in order, in chunks.
   *
   * @throws CheckpointException if the file changed or cannot be read; the message names it and the tensor
   */
  void read(ChunkSink sink) throws IOException;
}
