package dev.jbert.serve;

import java.util.List;

/**
 * One copy of a model that a batcher thread runs: the weights are shared with the other replicas, the
 * activation buffers are its own. Called by one thread at a time (the {@link Batcher} lends it out).
 *
 * @param <I> an encoded input
 */
interface Replica<I> extends AutoCloseable {

  /**
   * One forward pass over {@code inputs} (at most {@link Batcher#FORWARD_BATCH}, padded to the
   * longest): one output row per input, in input order (logits, or an embedding before normalisation).
   */
  float[][] run(List<I> inputs);

  /** Frees the activation buffers (not the shared weights). */
  @Override
  void close();
}
