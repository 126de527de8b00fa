package dev.jbert.finetune.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchingTest {

  private static final int PAD = 0;

  /** Example i has length lengths[i]; its ids are 100·i + position + 1 (never the pad id). */
  private static List<EncodedExample> examples(int... lengths) {
    List<EncodedExample> out = new ArrayList<>();
    for (int i = 0; i < lengths.length; i++) {
      int[] ids = new int[lengths[i]];
      int[] types = new int[lengths[i]];
      for (int p = 0; p < ids.length; p++) {
        ids[p] = 100 * i + p + 1;
        types[p] = p >= ids.length / 2 ? 1 : 0;
      }
      out.add(EncodedExample.classification(ids, types, i % 3));
    }
    return out;
  }

  private static int[] randomLengths(int n, long seed) {
    Random random = new Random(seed);
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      lengths[i] = 3 + random.nextInt(60);
    }
    return lengths;
  }

  /** Row {@code r} of a flat row-major {@code [batch, seq]} array. */
  private static int[] row(int[] flat, int r, int seq) {
    return java.util.Arrays.copyOfRange(flat, r * seq, (r + 1) * seq);
  }

  @Test
  void paddingAndMasks() {
    List<EncodedExample> examples = examples(3, 5, 1);
    Batch batch = Batch.collate(examples, new int[] {0, 1, 2}, PAD, BatchPosition.START);
    assertEquals(3, batch.size());
    assertEquals(5, batch.seqLen(), "padded to the longest in the batch");
    assertArrayEquals(new int[] {1, 2, 3, PAD, PAD}, row(batch.tokens().inputIds(), 0, batch.seqLen()));
    assertArrayEquals(new int[] {101, 102, 103, 104, 105}, row(batch.tokens().inputIds(), 1, batch.seqLen()));
    assertArrayEquals(new int[] {201, PAD, PAD, PAD, PAD}, row(batch.tokens().inputIds(), 2, batch.seqLen()));
    assertArrayEquals(new int[] {1, 1, 1, 0, 0}, row(batch.tokens().attentionMask(), 0, batch.seqLen()));
    assertArrayEquals(new int[] {1, 1, 1, 1, 1}, row(batch.tokens().attentionMask(), 1, batch.seqLen()));
    assertArrayEquals(new int[] {1, 0, 0, 0, 0}, row(batch.tokens().attentionMask(), 2, batch.seqLen()));
    assertArrayEquals(new int[] {0, 1, 1, 0, 0}, row(batch.tokens().tokenTypeIds(), 0, batch.seqLen()), "types copied, padding gets type 0");
    assertArrayEquals(new int[] {0, 1, 2}, batch.labelIds());
    assertEquals(9, batch.tokens().realTokens());
    assertEquals(1 - 9.0 / 15, batch.tokens().paddingFraction(), 1e-12);

    Batch withPad7 = Batch.collate(examples, new int[] {2, 0}, 7, BatchPosition.START);
    assertArrayEquals(new int[] {201, 7, 7}, row(withPad7.tokens().inputIds(), 0, withPad7.seqLen()));
    assertArrayEquals(new int[] {2, 0}, withPad7.exampleIndices());
  }

  @Test
  void regressionTargetsTravelWithTheBatch() {
    List<EncodedExample> examples = List.of(
        EncodedExample.regression(new int[] {5, 6}, new int[] {0, 0}, 4.5f),
        EncodedExample.regression(new int[] {5}, new int[] {0}, 1.0f));
    Batch batch = Batch.collate(examples, new int[] {1, 0}, PAD, BatchPosition.START);
    assertArrayEquals(new float[] {1.0f, 4.5f}, batch.scores());
    assertArrayEquals(new int[] {EncodedExample.NO_LABEL, EncodedExample.NO_LABEL}, batch.labelIds());
  }

  @Test
  void fileOrderIsExact() {
    BatchOrder order = BatchOrder.fileOrder(10, 4);
    assertEquals(3, order.batchesPerEpoch());
    for (int epoch = 0; epoch < 2; epoch++) {
      List<int[]> batches = order.epoch(epoch);
      assertArrayEquals(new int[] {0, 1, 2, 3}, batches.get(0));
      assertArrayEquals(new int[] {4, 5, 6, 7}, batches.get(1));
      assertArrayEquals(new int[] {8, 9}, batches.get(2));
    }
  }

  @Test
  void bucketedBatchesCoverEveryExampleOncePerEpoch() {
    int[] lengths = randomLengths(1_037, 5);
    BatchOrder order = BatchOrder.bucketed(lengths, 16, 11);
    assertEquals(65, order.batchesPerEpoch());
    for (int epoch = 0; epoch < 3; epoch++) {
      int[] seen = new int[lengths.length];
      int smallBatches = 0;
      for (int[] batch : order.epoch(epoch)) {
        for (int i : batch) {
          seen[i]++;
        }
        smallBatches += batch.length < 16 ? 1 : 0;
      }
      final int e = epoch;
      assertTrue(Arrays.stream(seen).allMatch(c -> c == 1), "epoch " + e + ": each example exactly once");
      assertEquals(1, smallBatches, "only the last chunk leaves a smaller batch");
    }
    assertNotEquals(Arrays.deepToString(order.epoch(0).toArray()), Arrays.deepToString(order.epoch(1).toArray()), "epochs differ");
    assertEquals(Arrays.deepToString(order.epoch(1).toArray()),
        Arrays.deepToString(BatchOrder.bucketed(lengths, 16, 11).epoch(1).toArray()), "a pure function of seed and epoch");
  }

  @Test
  void bucketingCutsPaddingAndKeepsBatchesRandom() {
    int[] lengths = randomLengths(4_000, 9);
    double plain = BatchOrder.bucketed(lengths, 32, 1, 4).paddingFraction(0);
    double bucketed = BatchOrder.bucketed(lengths, 32, 4).paddingFraction(0);
    assertTrue(bucketed < plain / 5, "bucketed " + bucketed + " vs plain shuffle " + plain);
    // Batch lengths are not sorted over the epoch: the batches themselves are shuffled.
    List<int[]> batches = BatchOrder.bucketed(lengths, 32, 4).epoch(0);
    int rises = 0;
    for (int b = 1; b < batches.size(); b++) {
      rises += lengths[batches.get(b)[0]] > lengths[batches.get(b - 1)[0]] ? 1 : 0;
    }
    assertTrue(rises > batches.size() / 4 && rises < 3 * batches.size() / 4, "rises " + rises + " of " + batches.size());
  }

  @Test
  void iteratorResumesWithTheSameOrder() {
    List<EncodedExample> examples = examples(randomLengths(103, 2));
    BatchOrder order = BatchOrder.bucketed(BatchOrder.lengths(examples), 8, 2, 99);
    List<Batch> full = new ArrayList<>();
    BatchIterator it = new BatchIterator(examples, order, PAD, BatchPosition.START, 3);
    it.forEachRemaining(full::add);
    assertEquals(3 * 13, full.size());
    assertEquals(new BatchPosition(3, 0), it.position());
    assertFalse(it.hasNext());

    // Kill after 20 batches (epoch 1, batch 7 is next), resume from the saved position.
    BatchIterator first = new BatchIterator(examples, order, PAD, BatchPosition.START, 3);
    for (int i = 0; i < 20; i++) {
      first.next();
    }
    BatchPosition saved = first.position();
    assertEquals(new BatchPosition(1, 7), saved);
    BatchIterator resumed = new BatchIterator(examples, BatchOrder.bucketed(BatchOrder.lengths(examples), 8, 2, 99), PAD, saved, 3);
    for (int i = 20; i < full.size(); i++) {
      Batch expected = full.get(i);
      Batch got = resumed.next();
      assertEquals(expected.position(), got.position());
      assertArrayEquals(expected.exampleIndices(), got.exampleIndices(), "batch " + i);
      assertArrayEquals(expected.tokens().inputIds(), got.tokens().inputIds());
    }
    assertFalse(resumed.hasNext());
  }

  @Test
  void noShuffleIteratorYieldsFileOrder() {
    List<EncodedExample> examples = examples(2, 2, 2, 2, 2);
    BatchIterator it = new BatchIterator(examples, BatchOrder.fileOrder(5, 2), PAD, new BatchPosition(0, 1), 1);
    assertArrayEquals(new int[] {2, 3}, it.next().exampleIndices());
    assertArrayEquals(new int[] {4}, it.next().exampleIndices());
    assertFalse(it.hasNext());
  }

  @Test
  void badInputs() {
    assertThrows(IllegalArgumentException.class, () -> new EncodedExample(new int[0], new int[0], 0, Float.NaN));
    assertThrows(IllegalArgumentException.class, () -> EncodedExample.classification(new int[] {1}, new int[] {0, 0}, 0));
    List<EncodedExample> examples = examples(2, 2);
    assertThrows(IllegalArgumentException.class,
        () -> new BatchIterator(examples, BatchOrder.fileOrder(3, 2), PAD, BatchPosition.START, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new BatchIterator(examples, BatchOrder.fileOrder(2, 2), PAD, new BatchPosition(0, 1), 1));
  }
}
