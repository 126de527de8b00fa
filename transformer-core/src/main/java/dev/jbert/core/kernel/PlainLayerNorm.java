package dev.jbert.core.kernel;

/**
 * The row steps of the float {@link LayerNorm} in plain Java, computing what {@link
 * VectorLayerNorm}'s 16-float vectors compute, float for float: sums in 16 lanes (element j in lane
 * j mod 16) folded as {@link VectorLayerNorm#sumLanes} folds them, and the same fused
 * multiply-adds. So layer norm gives the same floats with or without the Vector API module (and
 * where its vectors hold 8 floats), and a training run killed in a JVM without the module resumes
 * exactly in one with it. Any width; the vector rows take widths of whole vectors.
 */
final class PlainLayerNorm {

  /** The lanes of {@link VectorLayerNorm}'s sums where it runs (16-float vectors). */
  static final int LANES = 16;

  private PlainLayerNorm() {}

  /**
   * {@code v[off, off + width) ← x̂ = (x − mean(x))·rstd} in place with {@code x = dropout(v + inpBias)
   * + residual} (the residual's row at the same offset; mask null: no dropout, applied from
   * {@code maskOffset}; residual null: none); returns rstd = 1/√(var + eps).
   */
  static double normalise(float[] v, int off, int width, float[] inpBias, DropoutMask mask, int maskOffset,
      float[] residual, double eps) {
    for (int j = 0; j < width; j++) {
      v[off + j] += inpBias[j];
    }
    if (mask != null) {
      mask.applyInPlace(maskOffset, v, off, width);
    }
    if (residual != null) {
      for (int j = 0; j < width; j++) {
        v[off + j] += residual[off + j];
      }
    }
    float[] sum = new float[LANES];
    for (int j0 = 0; j0 < width; j0 += LANES) {                // element j0 + l in lane l
      for (int l = 0, end = Math.min(LANES, width - j0); l < end; l++) {
        sum[l] += v[off + j0 + l];
      }
    }
    float mean = sumLanes(sum) / width;
    for (int j = 0; j < width; j++) {
      v[off + j] -= mean;
    }
    float[] squares = new float[LANES];
    for (int j0 = 0; j0 < width; j0 += LANES) {
      for (int l = 0, end = Math.min(LANES, width - j0); l < end; l++) {
        float centred = v[off + j0 + l];
        squares[l] = Math.fma(centred, centred, squares[l]);
      }
    }
    double rstd = 1.0 / Math.sqrt((double) sumLanes(squares) / width + eps);
    float rs = (float) rstd;
    for (int j = 0; j < width; j++) {
      v[off + j] *= rs;
    }
    return rstd;
  }

  /** {@code v[off, off + width) ← γ·v + β} in place. */
  static void affine(float[] v, int off, int width, float[] gamma, float[] beta) {
    for (int j = 0; j < width; j++) {
      v[off + j] = Math.fma(v[off + j], gamma[j], beta[j]);
    }
  }

  /**
   * One row of {@link LayerNorm#backward}: {@code d ← rstd·(d·γ − mean(d·γ) − x̂·mean(d·γ·x̂))} in
   * place, with {@code dGamma += d·x̂} and {@code dBeta += d} (this thread's sums, in float).
   */
  static void backward(float[] d, float[] xhat, float[] gamma, float[] dGamma, float[] dBeta, float rstd, int width) {
    float[] sumG = new float[LANES];
    float[] sumGn = new float[LANES];
    for (int j = 0; j < width; j++) {
      float dy = d[j];
      dGamma[j] = Math.fma(dy, xhat[j], dGamma[j]);
      dBeta[j] += dy;
      float gd = dy * gamma[j];
      d[j] = gd;
      sumG[j % LANES] += gd;
      sumGn[j % LANES] = Math.fma(gd, xhat[j], sumGn[j % LANES]);
    }
    float meanG = sumLanes(sumG) / width;
    float meanGn = sumLanes(sumGn) / width;
    for (int j = 0; j < width; j++) {
      d[j] = (d[j] - meanG - xhat[j] * meanGn) * rstd;
    }
  }

  /** The lanes' sum, folded in halves: lane i + half onto lane i for half = 8, 4, 2, 1 (overwrites lanes). */
  static float sumLanes(float[] lanes) {
    for (int half = LANES / 2; half >= 1; half /= 2) {
      for (int i = 0; i < half; i++) {
        lanes[i] += lanes[i + half];
      }
    }
    return lanes[0];
  }
}
