package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-head scaled dot-product attention with an additive padding mask and dropout on the
 * probabilities, from the fused Q, K, V projection to the merged context, forward and backward:
 * <pre>
 *   Q, K, V = qkv + bias                            [rows, 3·hidden], head h of Q: columns h·d..(h+1)·d
 *   P       = softmax(Q Kᵀ / √d + mask)             [batch·heads, queries, seq]   ({@link MaskedSoftmax})
 *   out     = dropout(P) V                          [batch·queries, hidden], head h: columns h·d..(h+1)·d
 * </pre>
 * with d = headDim. Every token asks (queries = seq), or only each sequence's first token (queries
 * = 1: the last layer of a classifier whose pooler reads nothing else); keys and values are every
 * token's either way, the queries the first {@code queries} rows of each sequence's Q.
 *
 * <p>Each head of each sequence is a [seq, d] block of the projection's rows (row t = (b, s) holds,
 * for each of Q, K, V and head h, the d values of row s of head (b, h)), so the head products
 * ({@link Gemm#batched(int, Gemm.Block, Gemm.Block, Gemm.Block, boolean, boolean)}) read Q, K, V
 * where the projection wrote them and write each head's context where the merged context keeps it;
 * the backward likewise reads dout and writes dQ, dK, dV into dqkv's blocks. No head is copied out
 * or gathered back (those copies were 54 ms of bert-base's 32×64 training step, and the arrays they
 * filled 25 MB a layer).
 */
public final class Attention {

  /** {@code torch.finfo(torch.float32).min}: the additive mask of padded keys. */
  public static final double MASK_VALUE = -3.4028234663852886e38;

  private Attention() {}

  /**
   * {@code out [batch·queries, hidden]} from the projection {@code qkv [rows, 3·hidden]}, to which
   * the bias is added in place (the backward reads Q, K and V there).
   *
   * @param probs saved probabilities [batch·heads, queries, seq]
   * @param dropped saved P after dropout [batch·heads, queries, seq] (unused without a mask)
   * @param maskAdd [batch·seq]: 0 for tokens, {@link #MASK_VALUE} for padded keys
   * @param mask the dropout on P, or null
   */
  public static void forward(INDArray out, INDArray probs, INDArray dropped, INDArray qkv, INDArray qkvBias,
      double[] maskAdd, int heads, DropoutMask mask) {
    Heads h = new Heads(qkv, probs, heads);
    Linear.addBias(qkv, qkvBias);                                               // Q, K, V
    h.products(h.queries(qkv), h.part(qkv, 1), h.scores(probs), false, true);   // S = Q Kᵀ
    MaskedSoftmax.forward(probs, dropped, maskAdd, heads, 1.0 / Math.sqrt(h.dim), mask);
    Gemm.Block p = h.scores(mask == null ? probs : dropped);
    h.products(p, h.part(qkv, 2), h.context(out), false, false);                // C = dropout(P) V
  }

  /**
   * {@code dqkv [rows, 3·hidden]} from {@code dout [batch·queries, hidden]} (dQ is 0 in rows that
   * asked no query); accumulates the fused bias gradient into {@code dqkvBias [3·hidden]}.
   *
   * @param qkv the forward's projection, bias added; {@code dProbs} scratch [batch·heads, queries, seq]
   */
  public static void backward(INDArray dqkv, INDArray dqkvBias, INDArray dProbs, INDArray dout, INDArray qkv,
      INDArray probs, INDArray dropped, int heads, DropoutMask mask) {
    Heads h = new Heads(qkv, probs, heads);
    if (h.queries < h.seq) {
      Flat.zero(dqkv);                                            // the products write dQ of the asking rows only
    }
    Gemm.Block dC = h.context(dout);
    h.products(dC, h.part(qkv, 2), h.scores(dProbs), false, true);                      // d(dropped P) = dC Vᵀ
    h.products(h.scores(mask == null ? probs : dropped), dC, h.part(dqkv, 2), true, false);  // dV = Pᵀ dC
    MaskedSoftmax.backward(dProbs, probs, 1.0 / Math.sqrt(h.dim), mask);                // → dS in place
    h.products(h.scores(dProbs), h.part(qkv, 1), h.queries(dqkv), false, false);        // dQ = dS K
    h.products(h.scores(dProbs), h.queries(qkv), h.part(dqkv, 1), true, false);         // dK = dSᵀ Q
    Linear.sumRowsInto(dqkvBias, dqkv);                                                 // d bias = Σ_rows dqkv
  }

  /** The (sequence, head) blocks of one attention: product i is head i % heads of sequence i / heads. */
  private static final class Heads {
    final int heads;
    final int queries;
    final int seq;
    final int dim;
    final int count;

    Heads(INDArray qkv, INDArray probs, int heads) {
      this.heads = heads;
      this.queries = (int) probs.size(1);
      this.seq = (int) probs.size(2);
      this.dim = (int) qkv.size(1) / 3 / heads;
      this.count = (int) probs.size(0);
    }

    /** Part {@code which} (0, 1, 2: Q, K, V) of [rows, 3·hidden]: every token's. */
    Gemm.Block part(INDArray rows, int which) {
      int hidden = heads * dim;
      return new Gemm.Block(rows, seq, dim, i -> i / heads * seq, i -> which * hidden + i % heads * dim);
    }

    /** The asking tokens' Q in [rows, 3·hidden]: the first {@code queries} rows of each sequence. */
    Gemm.Block queries(INDArray rows) {
      return new Gemm.Block(rows, queries, dim, i -> i / heads * seq, i -> i % heads * dim);
    }

    /** The heads of the context [batch·queries, hidden] (or its gradient). */
    Gemm.Block context(INDArray rows) {
      return new Gemm.Block(rows, queries, dim, i -> i / heads * queries, i -> i % heads * dim);
    }

    /** The [queries, seq] matrices of [batch·heads, queries, seq]. */
    Gemm.Block scores(INDArray scores) {
      return Gemm.Block.of(scores);
    }

    void products(Gemm.Block a, Gemm.Block b, Gemm.Block c, boolean transA, boolean transB) {
      Gemm.batched(count, a, b, c, transA, transB);
    }
  }
}
