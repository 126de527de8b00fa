package dev.jbert.bench;

import dev.jbert.core.config.BertConfig;
import java.util.Locale;

/**
 * The two model shapes the benchmarks time, as the PyTorch peer ({@code ../shared/peers/bert_torch.py})
 * builds them: vocabulary 30522, 512 positions, 2 token types, 2 labels, dropout 0.1, exact GELU.
 */
public enum ModelShape {
  /** all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads, FFN 1536 (22.7M parameters). */
  MINILM(6, 384, 12, 1536),
  /** bert-base: 12 layers, hidden 768, 12 heads, FFN 3072 (109.5M parameters). */
  BASE(12, 768, 12, 3072);

  private static final int NUM_LABELS = 2;

  private final int layers;
  private final int hidden;
  private final int heads;
  private final int ffn;

  ModelShape(int layers, int hidden, int heads, int ffn) {
    this.layers = layers;
    this.hidden = hidden;
    this.heads = heads;
    this.ffn = ffn;
  }

  /** Whether ONNX Runtime's peer has an export of this shape: all-MiniLM-L6-v2's; bert-base has none. */
  public boolean hasOnnxExport() {
    return this == MINILM;
  }

  /** The name the peer script takes: {@code minilm} or {@code base}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** By {@link #id()}. */
  public static ModelShape byId(String id) {
    for (ModelShape s : values()) {
      if (s.id().equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown model shape '" + id + "' (minilm or base)");
  }

  /** A Hugging Face config of this shape (other settings: {@code BertConfig}'s defaults, bert-base's). */
  public BertConfig config() {
    return BertConfig.builder().numHiddenLayers(layers).hiddenSize(hidden).numAttentionHeads(heads)
        .intermediateSize(ffn).labels(BertConfig.defaultLabels(NUM_LABELS)).build();
  }

  /**
   * FLOPs of one forward pass, counted as the peer counts them: 2·M·K·N per dense matmul (Q, K, V,
   * output projection, FFN in and out), plus QKᵀ and PV (2·batch·seq²·hidden each) per layer, plus
   * the pooler and the classifier. Embeddings, LayerNorm, softmax and GELU are not counted.
   */
  public double forwardFlops(int batch, int seq) {
    double tokens = (double) batch * seq;
    double perLayer = 2 * tokens * hidden * 3 * hidden + 2 * tokens * hidden * hidden + 2 * tokens * hidden * ffn * 2
        + 2 * (2.0 * batch * seq * seq * hidden);
    return layers * perLayer + 2.0 * batch * hidden * hidden + 2.0 * batch * hidden * NUM_LABELS;
  }
}
