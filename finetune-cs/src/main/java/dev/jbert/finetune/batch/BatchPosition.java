package dev.jbert.finetune.batch;

/**
 * Where a run is in its batch stream: batch {@code batch} (0-based) of epoch {@code epoch}
 * (0-based). Save the position of the next batch with a checkpoint to resume in the same order.
 */
public record BatchPosition(int epoch, int batch) {

  /** The first batch of the first epoch. */
  public static final BatchPosition START = new BatchPosition(0, 0);

  /** Checks that both are >= 0. */
  public BatchPosition {
    if (epoch < 0 || batch < 0) {
      throw new IllegalArgumentException("epoch and batch must be >= 0, got " + epoch + ", " + batch);
    }
  }

  /** The position after this one, given the number of batches per epoch. */
  public BatchPosition next(int batchesPerEpoch) {
    return batch + 1 < batchesPerEpoch ? new BatchPosition(epoch, batch + 1) : new BatchPosition(epoch + 1, 0);
  }
}
