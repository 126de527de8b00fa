package dev.jbert.serve;

import java.util.List;

/**
 * One copy of a model that a batcher thread runs: the weights are shared with the other replicas, the
 * activation buffers are its own. Called by one thread only.
 *
 * @param <I> an encoded input
 */
interface Replica<I> extends AutoCloseable {

  /**
   * One output row per input, in input order (logits, or an embedding before normalisation). Inputs
   * are sorted by length and run {@code forwardBatch} at a time.
   */
  float[][] run(List<I> inputs, int forwardBatch);

  /** Frees the activation buffers (not the shared weights). */
  @Override
  void close();
}
