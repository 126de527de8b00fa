package dev.jbert.finetune.embed;

import java.util.Locale;

/**
 * How a sentence embedding is made from one input's hidden states {@code [tokens, hidden]} (the
 * tokens under the attention mask, special tokens included, as sentence-transformers does).
 */
public enum Pooling {
  /** The first token's ({@code [CLS]}) hidden state. */
  CLS,
  /** The average of the tokens' hidden states. */
  MEAN,
  /** The element-wise maximum over the tokens. */
  MAX;

  /** {@code cls}, {@code mean} or {@code max}, as TEI's {@code --pooling} flag spells them. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The pooling named {@code id} (any case); the error lists the names. */
  public static Pooling of(String id) {
    for (Pooling p : values()) {
      if (p.id().equalsIgnoreCase(id.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown pooling '" + id + "'; use cls, mean or max");
  }

  /** The embedding of one input's real-token hidden states {@code [tokens][hidden]}. */
  public float[] pool(float[][] tokens) {
    if (tokens.length == 0) {
      throw new IllegalArgumentException("no tokens to pool");
    }
    return switch (this) {
      case CLS -> tokens[0].clone();
      case MEAN -> mean(tokens);
      case MAX -> max(tokens);
    };
  }

  private static float[] mean(float[][] tokens) {
    double[] sum = new double[tokens[0].length];
    for (float[] row : tokens) {
      for (int j = 0; j < sum.length; j++) {
        sum[j] += row[j];
      }
    }
    float[] out = new float[sum.length];
    for (int j = 0; j < sum.length; j++) {
      out[j] = (float) (sum[j] / tokens.length);
    }
    return out;
  }

  private static float[] max(float[][] tokens) {
    float[] out = tokens[0].clone();
    for (float[] row : tokens) {
      for (int j = 0; j < out.length; j++) {
        out[j] = Math.max(out[j], row[j]);
      }
    }
    return out;
  }

  /** {@code v} divided by its L2 norm (at least 1e-12, as torch's {@code F.normalize}), in place. */
  public static float[] normalize(float[] v) {
    double squares = 0;
    for (float x : v) {
      squares += (double) x * x;
    }
    double norm = Math.max(Math.sqrt(squares), 1e-12);
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) (v[j] / norm);
    }
    return v;
  }
}
