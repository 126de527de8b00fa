package dev.jbert.core.io;

import java.io.IOException;

/**
 * One named tensor of a checkpoint: its name and shape, and its values as float32, handed over a
 * chunk at a time. A tensor read from a safetensors file ({@link Checkpoints#open}) is read from the
 * file when asked, so that loading a model never holds a second copy of its weights on the Java
 * heap; a {@link TensorData} hands over the array it holds.
 */
public interface StoredTensor {

  /** Values in flat row-major order, from element {@code offset} on; {@code values} may be reused after the call. */
  @FunctionalInterface
  interface ChunkSink {
    void accept(long offset, float[] values, int count) throws IOException;
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
