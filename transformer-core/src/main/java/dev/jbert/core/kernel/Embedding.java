package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BERT's input embedding sum, as llm.c's {@code encoder_forward/backward}:
 * {@code out[t] = word[id_t] + tokenType[type_t] + position[t mod seq]}. The backward scatter-adds
 * each row's gradient into the rows it was read from; the word row of the padding id gets none, as
 * with torch's {@code padding_idx}. One kernel over double rows for both precisions (the rows are
 * copies and sums). Tokens may share a table row, so the backward's threads take columns, not
 * tokens: each element's sum runs over the tokens in order, as on one thread.
 */
public final class Embedding {

  private Embedding() {}

  /** out [batch·seq, hidden] from ids and token types [batch·seq] (validated by the caller). */
  public static void forward(INDArray out, int[] inputIds, int[] tokenTypeIds, int seq, INDArray word,
      INDArray position, INDArray tokenType) {
    int hidden = (int) word.size(1);
    Flat w = Flat.of(word);
    Flat p = Flat.of(position);
    Flat tt = Flat.of(tokenType);
    Flat o = Flat.of(out);
    Parallel.rows(inputIds.length, 64, (part, from, to) -> {
      double[] sum = new double[hidden];
      double[] row = new double[hidden];
      for (int t = from; t < to; t++) {
        w.get(inputIds[t] * hidden, sum, 0, hidden);
        tt.get(tokenTypeIds[t] * hidden, row, 0, hidden);
        for (int j = 0; j < hidden; j++) {
          sum[j] += row[j];
        }
        p.get((t % seq) * hidden, row, 0, hidden);
        for (int j = 0; j < hidden; j++) {
          sum[j] += row[j];
        }
        o.put(t * hidden, sum, 0, hidden);
      }
    });
  }

  /** Accumulates {@code dout [batch·seq, hidden]} into the gradient rows each token read. */
  public static void backward(INDArray dWord, INDArray dPosition, INDArray dTokenType, INDArray dout, int[] inputIds,
      int[] tokenTypeIds, int seq, int padTokenId) {
    int hidden = (int) dout.size(1);
    Flat d = Flat.of(dout);
    Flat w = Flat.of(dWord);
    Flat p = Flat.of(dPosition);
    Flat tt = Flat.of(dTokenType);
    Parallel.rows(hidden, 64, (part, from, to) -> {
      int width = to - from;
      double[] row = new double[width];
      for (int t = 0; t < inputIds.length; t++) {
        d.get(t * hidden + from, row, 0, width);
        if (inputIds[t] != padTokenId) {
          w.add(inputIds[t] * hidden + from, row, 0, width);
        }
        tt.add(tokenTypeIds[t] * hidden + from, row, 0, width);
        p.add((t % seq) * hidden + from, row, 0, width);
      }
    });
  }
}
