package dev.jbert.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A partition's rows read {@code batchSize} at a time, each batch turned into output rows by {@code
 * work} (one output per input, in the same order), and handed out one by one. Only one batch is held
 * at a time, so a partition of any size streams through.
 */
final class RowBatches<I, O> implements Iterator<O> {

  private final Iterator<I> input;
  private final int batchSize;
  private final Function<List<I>, List<O>> work;
  private Iterator<O> current = Collections.emptyIterator();

  RowBatches(Iterator<I> input, int batchSize, Function<List<I>, List<O>> work) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.input = input;
    this.batchSize = batchSize;
    this.work = work;
  }

  @Override
  public boolean hasNext() {
    while (!current.hasNext() && input.hasNext()) {
      List<I> batch = new ArrayList<>(batchSize);
      while (batch.size() < batchSize && input.hasNext()) {
        batch.add(input.next());
      }
      List<O> out = work.apply(batch);
      if (out.size() != batch.size()) {
        throw new IllegalStateException(out.size() + " outputs for a batch of " + batch.size() + " rows");
      }
      current = out.iterator();
    }
    return current.hasNext();
  }

  @Override
  public O next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return current.next();
  }
}
