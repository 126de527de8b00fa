package dev.jbert.finetune.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Which examples go into which batch, epoch by epoch. The order of an epoch is a pure function of
 * (seed, epoch), so a run resumed at any {@link BatchPosition} sees exactly the batches it would have
 * seen.
 *
 * <p><b>File order</b> ({@link #fileOrder}, "no shuffle"): batch k of every epoch holds examples
 * k·B … k·B+B−1; the last batch may be smaller.
 *
 * <p><b>Length-bucketed shuffle</b> ({@link #bucketed}), per epoch e with a {@link Random} seeded by
 * (seed, e):
 *
 * <ol>
 *   <li>shuffle all example indices;
 *   <li>cut them into chunks of {@code chunkBatches × B} ({@value #DEFAULT_CHUNK_BATCHES} × B by
 *       default);
 *   <li>sort each chunk by token length (stable, so equal lengths keep their shuffled order);
 *   <li>cut each chunk into batches of B (only the very last chunk can leave a smaller batch);
 *   <li>shuffle the list of batches, so lengths do not rise and fall in a pattern over the epoch.
 * </ol>
 *
 * Examples in a batch then have similar lengths, so little of each {@code [batch, seq]} block is
 * padding, while every example still appears exactly once per epoch and batches are random.
 */
public final class BatchOrder {

  /** Batches per sorting chunk: large enough to find similar lengths, small enough to stay random. */
  public static final int DEFAULT_CHUNK_BATCHES = 50;

  private final int[] lengths;
  private final int batchSize;
  private final boolean shuffle;
  private final int chunkBatches;
  private final long seed;

  private BatchOrder(int[] lengths, int batchSize, boolean shuffle, int chunkBatches, long seed) {
    if (lengths.length == 0) {
      throw new IllegalArgumentException("no examples to batch");
    }
    if (batchSize < 1 || chunkBatches < 1) {
      throw new IllegalArgumentException("batchSize and chunkBatches must be >= 1, got " + batchSize + ", " + chunkBatches);
    }
    this.lengths = lengths.clone();
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.chunkBatches = chunkBatches;
    this.seed = seed;
  }

  /** Batches in file order, the same every epoch. */
  public static BatchOrder fileOrder(int exampleCount, int batchSize) {
    int[] ones = new int[exampleCount];
    Arrays.fill(ones, 1);
    return new BatchOrder(ones, batchSize, false, 1, 0);
  }

  /** Length-bucketed shuffled batches with the default chunk of {@value #DEFAULT_CHUNK_BATCHES} batches. */
  public static BatchOrder bucketed(int[] lengths, int batchSize, long seed) {
    return new BatchOrder(lengths, batchSize, true, DEFAULT_CHUNK_BATCHES, seed);
  }

  /** Length-bucketed shuffled batches, sorting within chunks of {@code chunkBatches} batches (1 = plain shuffle). */
  public static BatchOrder bucketed(int[] lengths, int batchSize, int chunkBatches, long seed) {
    return new BatchOrder(lengths, batchSize, true, chunkBatches, seed);
  }

  /** Token lengths of encoded examples, for {@link #bucketed}. */
  public static int[] lengths(List<EncodedExample> examples) {
    int[] out = new int[examples.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = examples.get(i).length();
    }
    return out;
  }

  /** Number of examples ordered. */
  public int exampleCount() {
    return lengths.length;
  }

  /** Batches per epoch, the last one possibly smaller: ceil(n / B). */
  public int batchesPerEpoch() {
    return (lengths.length + batchSize - 1) / batchSize;
  }

  /** The batches of {@code epoch}, as example indices. */
  public List<int[]> epoch(int epoch) {
    if (!shuffle) {
      List<int[]> batches = new ArrayList<>(batchesPerEpoch());
      for (int start = 0; start < lengths.length; start += batchSize) {
        int end = Math.min(start + batchSize, lengths.length);
        int[] batch = new int[end - start];
        for (int i = 0; i < batch.length; i++) {
          batch[i] = start + i;
        }
        batches.add(batch);
      }
      return batches;
    }
    Random random = new Random(epochSeed(seed, epoch));
    List<Integer> order = new ArrayList<>(lengths.length);
    for (int i = 0; i < lengths.length; i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    List<int[]> batches = new ArrayList<>(batchesPerEpoch());
    int chunk = chunkBatches * batchSize;
    for (int start = 0; start < order.size(); start += chunk) {
      List<Integer> sorted = new ArrayList<>(order.subList(start, Math.min(start + chunk, order.size())));
      sorted.sort(Comparator.comparingInt(i -> lengths[i]));
      for (int b = 0; b < sorted.size(); b += batchSize) {
        batches.add(sorted.subList(b, Math.min(b + batchSize, sorted.size())).stream().mapToInt(Integer::intValue).toArray());
      }
    }
    Collections.shuffle(batches, random);
    return batches;
  }

  /**
   * Share of padding cells over all batches of {@code epoch}: 1 − Σ lengths / Σ (batch size × longest
   * in batch).
   */
  public double paddingFraction(int epoch) {
    long real = 0;
    long cells = 0;
    for (int[] batch : epoch(epoch)) {
      int longest = 0;
      for (int i : batch) {
        real += lengths[i];
        longest = Math.max(longest, lengths[i]);
      }
      cells += (long) longest * batch.length;
    }
    return 1.0 - (double) real / cells;
  }

  /** Mixes seed and epoch so that neighbouring epochs get unrelated {@link Random} streams. */
  private static long epochSeed(long seed, int epoch) {
    long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
