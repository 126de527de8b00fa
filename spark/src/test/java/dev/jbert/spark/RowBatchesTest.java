package dev.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A partition read a batch at a time, outputs in input order. */
class RowBatchesTest {

  @Test
  void batchesOfTheSizeAndOutputsInInputOrder() {
    List<Integer> sizes = new ArrayList<>();
    RowBatches<Integer, String> it = new RowBatches<>(IntStream.range(0, 10).boxed().iterator(), 4, batch -> {
      sizes.add(batch.size());
      List<String> out = new ArrayList<>();
      for (int i : batch) {
        out.add("row " + i);
      }
      return out;
    });
    List<String> all = new ArrayList<>();
    it.forEachRemaining(all::add);
    assertEquals(List.of(4, 4, 2), sizes);
    assertEquals(IntStream.range(0, 10).mapToObj(i -> "row " + i).toList(), all);
  }

  @Test
  void theNextBatchIsReadOnlyWhenTheLastIsHandedOut() {
    List<Integer> read = new ArrayList<>();
    RowBatches<Integer, Integer> it = new RowBatches<>(IntStream.range(0, 6).boxed().peek(read::add).iterator(), 3, b -> b);
    it.next();
    assertEquals(List.of(0, 1, 2), read, "one batch held at a time");
  }

  @Test
  void anEmptyPartitionCallsNothingAndAShortAnswerIsAnError() {
    RowBatches<Integer, Integer> empty = new RowBatches<>(Collections.emptyIterator(), 3, b -> {
      throw new AssertionError("no batch");
    });
    assertFalse(empty.hasNext());
    RowBatches<Integer, Integer> shortAnswer = new RowBatches<>(List.of(1, 2).iterator(), 3, b -> List.of(1));
    assertThrows(IllegalStateException.class, shortAnswer::hasNext);
  }
}
