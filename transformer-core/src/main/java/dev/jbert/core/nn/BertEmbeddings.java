package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.kernel.DropoutMask;
import dev.jbert.core.kernel.Embedding;
import dev.jbert.core.kernel.LayerNorm;
import dev.jbert.core.param.ParameterScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertEmbeddings} ({@code embeddings}):
 * {@code dropout(LayerNorm(word[id] + token_type[tt] + position[s]))} with absolute positions
 * 0..seq-1. Mirrors <a href="https://github.com/huggingface/transformers/blob/004ad5f50b627b59bf0d581c31bc0052b6cfd40b/src/transformers/models/bert/modeling_bert.py#L167">modeling_bert.py#L167</a>. The word row of {@code pad_token_id} gets no gradient,
 * as with torch's {@code padding_idx}.
 */
public final class BertEmbeddings {

  private final ParameterScope.Tensor word;         // [vocab, hidden]
  private final ParameterScope.Tensor position;     // [maxPositions, hidden]
  private final ParameterScope.Tensor tokenType;    // [typeVocab, hidden]
  private final ParameterScope.Norm norm;
  private final int hidden;
  private final int padTokenId;
  private final double eps;
  private final double dropoutProb;
  private final TrainingMode mode;

  public BertEmbeddings(ParameterScope s, BertConfig c, TrainingMode mode) {
    this.hidden = c.hiddenSize();
    this.word = s.pp("word_embeddings").tensor("weight", c.vocabSize(), hidden);
    this.position = s.pp("position_embeddings").tensor("weight", c.maxPositionEmbeddings(), hidden);
    this.tokenType = s.pp("token_type_embeddings").tensor("weight", c.typeVocabSize(), hidden);
    this.norm = s.layerNorm("LayerNorm", hidden);
    this.padTokenId = c.padTokenId();
    this.eps = c.layerNormEps();
    this.dropoutProb = c.hiddenDropoutProb();
    this.mode = mode;
  }

  /** What the forward keeps for the backward, and the backward's scratch, for one input shape. */
  public static final class Activations {
    private final Buffers buffers;
    private final int rows;
    private final int seq;
    final INDArray sum;            // [rows, hidden] the three embeddings summed
    final INDArray normed;         // [rows, hidden] after the LayerNorm
    final INDArray xhat;           // [rows, hidden] saved by the LayerNorm; null when no backward follows
    final double[] rstd;           // [rows]
    int[] inputIds;                // [rows] of the last forward
    int[] tokenTypeIds;
    DropoutMask mask;              // the dropout of the last forward, null if none acted
    private INDArray dropped;      // [rows, hidden] allocated by the first forward that drops
    private INDArray dNormed;
    private INDArray dSum;

    private Activations(Buffers b, int batch, int seq, int hidden) {
      this.buffers = b;
      this.rows = batch * seq;
      this.seq = seq;
      this.sum = b.empty(rows, hidden);
      this.normed = b.empty(rows, hidden);
      this.xhat = b.forwardOnly() ? null : b.empty(rows, hidden);
      this.rstd = new double[rows];
    }
  }

  /** Buffers for a batch of {@code batch} sequences of {@code seq} tokens. */
  public Activations allocate(Buffers b, int batch, int seq) {
    return new Activations(b, batch, seq, hidden);
  }

  /** ids and token types [batch·seq] (validated by the caller) → embeddings [batch·seq, hidden]. */
  public INDArray forward(Activations a, int[] inputIds, int[] tokenTypeIds) {
    a.inputIds = inputIds;
    a.tokenTypeIds = tokenTypeIds;
    Embedding.forward(a.sum, inputIds, tokenTypeIds, a.seq, word.value(), position.value(), tokenType.value());
    LayerNorm.forward(a.normed, a.xhat, a.rstd, a.sum, null, null, null, norm.weight().value(), norm.bias().value(), eps);
    a.mask = mode.drawMask(dropoutProb);
    if (a.mask == null) {
      return a.normed;
    }
    if (a.dropped == null) {
      a.dropped = a.buffers.empty(a.rows, hidden);
    }
    DropoutMask.apply(a.dropped, a.normed, a.mask);
    return a.dropped;
  }

  /** dout [batch·seq, hidden]: accumulates the embedding tables' and the LayerNorm's gradients. */
  public void backward(Activations a, INDArray dout) {
    INDArray d = dout;
    if (a.mask != null) {
      if (a.dNormed == null) {
        a.dNormed = a.buffers.gradient(a.rows, hidden);
      }
      DropoutMask.apply(a.dNormed, dout, a.mask);
      d = a.dNormed;
    }
    if (a.dSum == null) {
      a.dSum = a.buffers.gradient(a.rows, hidden);
    }
    LayerNorm.backward(a.dSum, null, norm.weight().grad(), norm.bias().grad(), d, null, a.xhat, a.rstd,
        norm.weight().value(), null);
    Embedding.backward(word.grad(), position.grad(), tokenType.grad(), a.dSum, a.inputIds, a.tokenTypeIds, a.seq,
        padTokenId);
  }
}
