package dev.jbert.core.nn;

import dev.jbert.core.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BERT's input embeddings before their LayerNorm: {@code word[id] + token_type[tt] + position[s]}
 * with absolute positions 0..seq-1. The backward pass scatter-adds each row's gradient into the
 * rows it was read from; the word row of {@code pad_token_id} gets none, as with torch's
 * {@code padding_idx}.
 */
public final class Embeddings {

  private final Flat word;          // [vocab, hidden]
  private final Flat position;      // [maxPositions, hidden]
  private final Flat tokenType;     // [typeVocab, hidden]
  private final Flat wordGrad;
  private final Flat positionGrad;
  private final Flat tokenTypeGrad;
  private final int hidden;
  private final int padTokenId;
  private final int batch;
  private final int seq;
  private final INDArray y;         // [batch·seq, hidden]
  private int[] inputIds;           // [batch·seq], the last input
  private int[] tokenTypeIds;       // [batch·seq]

  /**
   * @param prefix parameter name prefix, e.g. {@code "bert.embeddings."}
   */
  public Embeddings(Parameters p, String prefix, int padTokenId, Buffers buffers, int batch, int seq) {
    this.word = Flat.of(p.value(prefix + "word_embeddings.weight"));
    this.position = Flat.of(p.value(prefix + "position_embeddings.weight"));
    this.tokenType = Flat.of(p.value(prefix + "token_type_embeddings.weight"));
    this.wordGrad = Flat.ofNullable(p.grad(prefix + "word_embeddings.weight"));
    this.positionGrad = Flat.ofNullable(p.grad(prefix + "position_embeddings.weight"));
    this.tokenTypeGrad = Flat.ofNullable(p.grad(prefix + "token_type_embeddings.weight"));
    this.hidden = (int) p.shape(prefix + "word_embeddings.weight")[1];
    this.padTokenId = padTokenId;
    this.batch = batch;
    this.seq = seq;
    this.y = buffers.zeros((long) batch * seq, hidden);
  }

  /** ids and token types [batch·seq] (validated by the caller) → embeddings [batch·seq, hidden]. */
  public INDArray forward(int[] inputIds, int[] tokenTypeIds) {
    this.inputIds = inputIds;
    this.tokenTypeIds = tokenTypeIds;
    Flat out = Flat.of(y);
    Parallel.rows(batch * seq, 64, (part, from, to) -> {
      double[] sum = new double[hidden];
      double[] row = new double[hidden];
      for (int t = from; t < to; t++) {
        word.get(inputIds[t] * hidden, sum, 0, hidden);
        tokenType.get(tokenTypeIds[t] * hidden, row, 0, hidden);
        for (int j = 0; j < hidden; j++) {
          sum[j] += row[j];
        }
        position.get((t % seq) * hidden, row, 0, hidden);
        for (int j = 0; j < hidden; j++) {
          sum[j] += row[j];
        }
        out.put(t * hidden, sum, 0, hidden);
      }
    });
    return y;
  }

  /** dy [batch·seq, hidden]: adds each row into the gradient rows of its word, position and token type. */
  public void backward(INDArray dy) {
    Flat dOut = Flat.of(dy);
    double[] row = new double[hidden];
    for (int t = 0; t < batch * seq; t++) {
      dOut.get(t * hidden, row, 0, hidden);
      if (inputIds[t] != padTokenId) {
        wordGrad.add(inputIds[t] * hidden, row, 0, hidden);
      }
      tokenTypeGrad.add(tokenTypeIds[t] * hidden, row, 0, hidden);
      positionGrad.add((t % seq) * hidden, row, 0, hidden);
    }
  }
}
