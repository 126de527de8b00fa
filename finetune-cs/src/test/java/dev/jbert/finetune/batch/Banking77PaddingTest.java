package dev.jbert.finetune.batch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.SharedData;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.datasets.Datasets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Padding left by each batching scheme on Banking77's length distribution. The tokenizer is built
 * elsewhere, so lengths are a proxy: words and punctuation marks (BERT's pre-tokenization) + 2 for
 * {@code [CLS]} and {@code [SEP]}; WordPiece adds a few pieces on top, which does not change the
 * comparison.
 */
class Banking77PaddingTest {

  static int proxyLength(String text) {
    String[] pieces = text.replaceAll("(\\p{Punct})", " $1 ").trim().split("\\s+");
    return pieces.length + 2;
  }

  @Test
  void bucketingLeavesLittlePadding() {
    List<Example> train = Datasets.banking77(SharedData.dataDir()).train();
    int[] lengths = train.stream().mapToInt(e -> proxyLength(e.text())).toArray();
    int batch = 32;
    double fileOrder = paddingOf(BatchOrder.fileOrder(lengths.length, batch), lengths);
    double shuffled = BatchOrder.bucketed(lengths, batch, 1, 42).paddingFraction(0);
    double bucketed = BatchOrder.bucketed(lengths, batch, 42).paddingFraction(0);
    System.out.printf("Banking77 train (proxy lengths, batch %d): padding file order %.3f, plain shuffle %.3f, bucketed(50 x B) %.3f%n",
        batch, fileOrder, shuffled, bucketed);
    for (int chunk : new int[] {10, 100}) {
      System.out.printf("  bucketed(%d x B) %.3f%n", chunk, BatchOrder.bucketed(lengths, batch, chunk, 42).paddingFraction(0));
    }
    assertTrue(shuffled > 0.4, "plain shuffle pads a lot: " + shuffled);
    assertTrue(bucketed < 0.08, "bucketed pads little: " + bucketed);
  }

  private static double paddingOf(BatchOrder order, int[] lengths) {
    long real = 0;
    long cells = 0;
    for (int[] b : order.epoch(0)) {
      int longest = 0;
      for (int i : b) {
        real += lengths[i];
        longest = Math.max(longest, lengths[i]);
      }
      cells += (long) longest * b.length;
    }
    return 1.0 - (double) real / cells;
  }
}
