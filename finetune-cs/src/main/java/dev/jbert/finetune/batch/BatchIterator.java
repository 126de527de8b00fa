package dev.jbert.finetune.batch;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Padded batches from a {@link BatchOrder}, from a start position up to the end of a given epoch.
 *
 * <p>To resume after a kill: save {@link #position()} (the next batch) with the checkpoint, and build
 * a new iterator with the same examples, order and that position; it yields the remaining batches
 * exactly as the first run would have.
 */
public final class BatchIterator implements Iterator<Batch> {

  private final List<EncodedExample> examples;
  private final BatchOrder order;
  private final int padId;
  private final int endEpoch;
  private BatchPosition position;
  private List<int[]> epochBatches;

  /**
   * @param examples the encoded examples the order indexes into
   * @param order which examples form which batch
   * @param padId id written into padding cells of {@code input_ids}
   * @param start the first batch to yield
   * @param epochs iteration stops before epoch {@code epochs} (exclusive)
   */
  public BatchIterator(List<EncodedExample> examples, BatchOrder order, int padId, BatchPosition start, int epochs) {
    if (order.exampleCount() != examples.size()) {
      throw new IllegalArgumentException("the order covers " + order.exampleCount() + " examples, the list has " + examples.size());
    }
    if (start.batch() >= order.batchesPerEpoch()) {
      throw new IllegalArgumentException("start batch " + start.batch() + " is past the " + order.batchesPerEpoch() + " batches of an epoch");
    }
    this.examples = examples;
    this.order = order;
    this.padId = padId;
    this.endEpoch = epochs;
    this.position = start;
  }

  /** The position of the batch {@link #next()} returns next (after the last: epoch = {@code epochs}, batch 0). */
  public BatchPosition position() {
    return position;
  }

  /** Batches in one epoch. */
  public int batchesPerEpoch() {
    return order.batchesPerEpoch();
  }

  @Override
  public boolean hasNext() {
    return position.epoch() < endEpoch;
  }

  @Override
  public Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException("all " + endEpoch + " epochs done");
    }
    if (epochBatches == null || position.batch() == 0) {
      epochBatches = order.epoch(position.epoch());
    }
    Batch batch = Batch.collate(examples, epochBatches.get(position.batch()), padId, position);
    position = position.next(order.batchesPerEpoch());
    return batch;
  }
}
