package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mean of the token vectors over the attention mask, as sentence-transformers' {@code Pooling}
 * ({@code pooling_mode_mean_tokens}): {@code out[b] = Σ_s m[b,s] h[b,s] / max(Σ_s m[b,s], 1e-9)}.
 * Off the hot path (one row per sentence), so one kernel over double rows for both precisions.
 */
public final class MeanPooling {

  /** sentence-transformers' clamp of the token count ({@code torch.clamp(sum_mask, min=1e-9)}). */
  static final double MIN_COUNT = 1e-9;

  private MeanPooling() {}

  /**
   * @param out [batch, hidden]
   * @param hidden [batch·seq, hidden] or [batch, seq, hidden]
   * @param mask [batch·seq] attention mask, 1 for a token, 0 for padding
   */
  public static void forward(INDArray out, INDArray hidden, int[] mask) {
    int batch = (int) out.size(0);
    int width = (int) out.size(1);
    int seq = seq(batch, width, hidden, mask);
    Flat h = Flat.of(hidden);
    Flat o = Flat.of(out);
    double[] row = new double[width];
    double[] sum = new double[width];
    for (int b = 0; b < batch; b++) {
      java.util.Arrays.fill(sum, 0);
      for (int s = 0; s < seq; s++) {
        int m = mask[b * seq + s];
        if (m != 0) {
          h.get((b * seq + s) * width, row, 0, width);
          for (int j = 0; j < width; j++) {
            sum[j] += m * row[j];
          }
        }
      }
      double count = Math.max(count(mask, b, seq), MIN_COUNT);
      for (int j = 0; j < width; j++) {
        sum[j] /= count;
      }
      o.put(b * width, sum, 0, width);
    }
  }

  /**
   * {@code dhidden[b,s] = m[b,s] · dout[b] / max(Σ_s m[b,s], 1e-9)}: every element of {@code
   * dhidden} written, zero at padding, so it may come uninitialized.
   */
  public static void backward(INDArray dhidden, INDArray dout, int[] mask) {
    int batch = (int) dout.size(0);
    int width = (int) dout.size(1);
    int seq = seq(batch, width, dhidden, mask);
    Flat g = Flat.of(dout);
    Flat d = Flat.of(dhidden);
    double[] dOut = new double[width];                  // [hidden] of sentence b
    double[] row = new double[width];                   // [hidden] of token (b, s)
    for (int b = 0; b < batch; b++) {
      g.get(b * width, dOut, 0, width);
      double count = Math.max(count(mask, b, seq), MIN_COUNT);
      for (int s = 0; s < seq; s++) {
        double m = mask[b * seq + s] / count;
        if (m != 0) {
          for (int j = 0; j < width; j++) {
            row[j] = m * dOut[j];
          }
        } else {
          java.util.Arrays.fill(row, 0);                // +0 at padding, not m · dOut's -0 for a negative dOut
        }
        d.put((b * seq + s) * width, row, 0, width);
      }
    }
  }

  private static double count(int[] mask, int b, int seq) {
    double c = 0;
    for (int s = 0; s < seq; s++) {
      c += mask[b * seq + s];
    }
    return c;
  }

  private static int seq(int batch, int width, INDArray hidden, int[] mask) {
    if (batch == 0 || mask.length % batch != 0 || hidden.length() != (long) mask.length * width) {
      throw new IllegalArgumentException("mean pooling of " + java.util.Arrays.toString(hidden.shape()) + " with a mask of "
          + mask.length + " into " + batch + " rows of " + width);
    }
    return mask.length / batch;
  }
}
