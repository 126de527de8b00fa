package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layer normalisation over the last dimension, as {@code torch.nn.LayerNorm} (biased variance, eps
 * inside the square root), with BERT's post-LN input fused in: the normalised row is
 * {@code dropout(inp + inpBias) + residual}, bias, dropout and sum taken in the same pass (the bias
 * is the one of the linear before, which then skips its own ND4J add, see
 * {@link Activation#forward}). As llm.c's {@code layernorm_forward/backward}, the forward saves
 * x̂ = (x − mean)·rstd and rstd, and the backward takes them back.
 *
 * <p>Measured at [2048, 384] float, min of 20 on the shared 2-core machine (KernelTiming): forward
 * with the residual 1.7 ms (the double kernel on float data took 2.5) against 4.6 ms for an ND4J
 * add plus its {@code layer_norm} op; backward 1.4 ms against 25.7 ms for {@code layer_norm_bp}.
 * Where the Vector API runs on 16-float vectors, the row steps of a float forward that saves no x̂
 * (inference) are {@link VectorLayerNorm}'s (1.5× faster in LayerNormBenchmark).
 */
public final class LayerNorm {

  private LayerNorm() {}

  /**
   * {@code out = γ·x̂ + β} with x̂ the normalised {@code dropout(inp + inpBias) + residual}; all [rows, width].
   *
   * @param xhat, rstd saved for {@link #backward}: x̂ [rows, width] and 1/√(var + eps) [rows]; xhat null
   *     when no backward follows (inference: one [rows, width] write less)
   * @param inpBias [width] or null; mask the dropout on inp + inpBias, or null; residual may be null
   */
  public static void forward(INDArray out, INDArray xhat, double[] rstd, INDArray inp, INDArray inpBias,
      DropoutMask mask, INDArray residual, INDArray weight, INDArray bias, double eps) {
    int rows = (int) inp.size(0);
    int width = (int) inp.size(1);
    if (Flat.isDouble(inp)) {
      forwardReference(out, xhat, rstd, inp, Activation.biasDoubles(inpBias, width), mask, residual, weight, bias, eps,
          rows, width);
      return;
    }
    float[] ib = Activation.biasFloats(inpBias, width);
    Flat in = Flat.of(inp), res = Flat.ofNullable(residual), o = Flat.of(out), norm = Flat.ofNullable(xhat);
    float[] g = Flat.of(weight).toFloats();
    float[] b = Flat.of(bias).toFloats();
    // The vector rows for inference only: training keeps the plain loops' rounding, so that a
    // training run gives the same weights, bit for bit, as before them.
    boolean vector = norm == null && PackedWeight.wideVectors() && VectorLayerNorm.fits(width);
    // Inference splits even one sequence's rows between the threads: a serial layer norm left the
    // other core idle in each of BERT's two per layer.
    Parallel.rows(rows, vector ? INFERENCE_MIN_ROWS : 64, (part, from, to) -> {
      int first = from * width;
      int len = (to - from) * width;
      float[] v = Flat.scratch(ROWS, len);                   // this part's rows, copied in and out at once
      in.get(first, v, 0, len);
      float[] r = null;
      if (res != null) {
        r = Flat.scratch(RESIDUAL_ROWS, len);
        res.get(first, r, 0, len);
      }
      for (int row = from, off = 0; row < to; row++, off += width) {
        rstd[row] = vector
            ? VectorLayerNorm.normalise(v, off, width, ib, mask, row * width, r, eps)
            : normalise(v, off, width, ib, mask, row * width, r, eps);
        if (norm != null) {
          norm.put(row * width, v, off, width);
        }
        if (vector) {
          VectorLayerNorm.affine(v, off, width, g, b);
        } else {
          for (int j = 0; j < width; j++) {
            v[off + j] = v[off + j] * g[j] + b[j];
          }
        }
      }
      o.put(first, v, 0, len);
    });
  }

  /** Rows per thread below which an inference forward stays on one thread. */
  private static final int INFERENCE_MIN_ROWS = 16;
  private static final ThreadLocal<float[]> ROWS = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> RESIDUAL_ROWS = ThreadLocal.withInitial(() -> new float[0]);

  /**
   * {@code v[off, off + width) ← x̂ = (x − mean(x))·rstd} in place with {@code x = dropout(v + inpBias)
   * + residual} (the residual's row at the same offset; mask null: no dropout, applied from
   * {@code maskOffset}; residual null: none), sums accumulated in double; returns rstd.
   */
  private static double normalise(float[] v, int off, int width, float[] inpBias, DropoutMask mask, int maskOffset,
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
    float mean = (float) (Functions.sum(v, off, off + width) / width);
    for (int j = 0; j < width; j++) {
      v[off + j] -= mean;
    }
    double rstd = 1.0 / Math.sqrt(Functions.dot(v, v, off, off + width) / width + eps);
    float rs = (float) rstd;
    for (int j = 0; j < width; j++) {
      v[off + j] *= rs;
    }
    return rstd;
  }

  /**
   * The gradient {@code dx} of the normalised sum (which is also the residual's) from
   * {@code dy = dout + dother} (dother may be null: an output read by two consumers sums their
   * gradients here, row by row); accumulates {@code dγ += Σ dy·x̂} and {@code dβ += Σ dy}.
   * {@code dx = rstd · (dy·γ − mean(dy·γ) − x̂ · mean(dy·γ·x̂))}.
   *
   * @param dbranch with a dropout mask, dx masked by it (the gradient of inp) [rows, width]; else unused
   */
  public static void backward(INDArray dx, INDArray dbranch, INDArray dweight, INDArray dbias, INDArray dout,
      INDArray dother, INDArray xhat, double[] rstd, INDArray weight, DropoutMask mask) {
    int rows = (int) dout.size(0);
    int width = (int) dout.size(1);
    if (Flat.isDouble(dout)) {
      backwardReference(dx, dbranch, dweight, dbias, dout, dother, xhat, rstd, weight, mask, rows, width);
      return;
    }
    Flat dOut = Flat.of(dout), dOther = Flat.ofNullable(dother), norm = Flat.of(xhat), dIn = Flat.of(dx);
    Flat dBranch = mask == null ? null : Flat.of(dbranch);
    float[] g = Flat.of(weight).toFloats();
    double[][] dGamma = new double[Parallel.maxParts()][width], dBeta = new double[Parallel.maxParts()][width];
    Parallel.rows(rows, 64, (part, from, to) -> {
      float[] d = new float[width], n = new float[width], gd = new float[width];
      float[] dgf = new float[width], dbf = new float[width];  // this slice's parameter gradients, in float
      float[] other = dOther == null ? null : new float[width];
      for (int row = from; row < to; row++) {
        int off = row * width;
        dOut.get(off, d, 0, width);
        if (other != null) {
          dOther.get(off, other, 0, width);
          for (int j = 0; j < width; j++) {
            d[j] += other[j];
          }
        }
        norm.get(off, n, 0, width);
        for (int j = 0; j < width; j++) {
          dgf[j] += d[j] * n[j];
          dbf[j] += d[j];
          gd[j] = d[j] * g[j];
        }
        float meanG = (float) (Functions.sum(gd, 0, width) / width);
        float meanGn = (float) (Functions.dot(gd, n, 0, width) / width);
        float rs = (float) rstd[row];
        for (int j = 0; j < width; j++) {
          d[j] = rs * (gd[j] - meanG - n[j] * meanGn);
        }
        dIn.put(off, d, 0, width);
        if (mask != null) {
          mask.applyInPlace(off, d, 0, width);
          dBranch.put(off, d, 0, width);
        }
      }
      for (int j = 0; j < width; j++) {
        dGamma[part][j] = dgf[j];
        dBeta[part][j] = dbf[j];
      }
    });
    for (int p = 0; p < dGamma.length; p++) {
      Flat.of(dweight).add(0, dGamma[p], 0, width);
      Flat.of(dbias).add(0, dBeta[p], 0, width);
    }
  }

  /** {@link #forward} in plain double arithmetic: the reference of the 1e-9 checks. */
  private static void forwardReference(INDArray out, INDArray xhat, double[] rstd, INDArray inp, double[] inpBias,
      DropoutMask mask, INDArray residual, INDArray weight, INDArray bias, double eps, int rows, int width) {
    double[] x = Flat.of(inp).toArray();
    for (int i = 0; i < x.length; i++) {
      x[i] += inpBias[i % width];
    }
    double[] r = residual == null ? new double[x.length] : Flat.of(residual).toArray();
    if (mask != null) {
      mask.applyInPlace(0, x, 0, x.length);
    }
    double[] g = Flat.of(weight).toArray(), b = Flat.of(bias).toArray(), y = new double[x.length];
    for (int row = 0; row < rows; row++) {
      int off = row * width;
      double mean = 0;
      for (int j = 0; j < width; j++) {
        x[off + j] += r[off + j];
        mean += x[off + j];
      }
      mean /= width;
      double var = 0;
      for (int j = 0; j < width; j++) {
        var += (x[off + j] - mean) * (x[off + j] - mean) / width;
      }
      rstd[row] = 1.0 / Math.sqrt(var + eps);
      for (int j = 0; j < width; j++) {
        x[off + j] = (x[off + j] - mean) * rstd[row];
        y[off + j] = x[off + j] * g[j] + b[j];
      }
    }
    if (xhat != null) {
      Flat.of(xhat).put(0, x, 0, x.length);
    }
    Flat.of(out).put(0, y, 0, y.length);
  }

  /** {@link #backward} in plain double arithmetic. */
  private static void backwardReference(INDArray dx, INDArray dbranch, INDArray dweight, INDArray dbias,
      INDArray dout, INDArray dother, INDArray xhat, double[] rstd, INDArray weight, DropoutMask mask, int rows,
      int width) {
    double[] d = Flat.of(dout).toArray();
    double[] o = dother == null ? new double[d.length] : Flat.of(dother).toArray();
    double[] n = Flat.of(xhat).toArray();
    double[] g = Flat.of(weight).toArray(), dg = new double[width], db = new double[width];
    for (int row = 0; row < rows; row++) {
      int off = row * width;
      double meanG = 0;
      double meanGn = 0;
      for (int j = 0; j < width; j++) {
        d[off + j] += o[off + j];
        dg[j] += d[off + j] * n[off + j];
        db[j] += d[off + j];
        meanG += d[off + j] * g[j];
        meanGn += d[off + j] * g[j] * n[off + j];
      }
      meanG /= width;
      meanGn /= width;
      for (int j = 0; j < width; j++) {
        d[off + j] = rstd[row] * (d[off + j] * g[j] - meanG - n[off + j] * meanGn);
      }
    }
    Flat.of(dx).put(0, d, 0, d.length);
    if (mask != null) {
      mask.applyInPlace(0, d, 0, d.length);
      Flat.of(dbranch).put(0, d, 0, d.length);
    }
    Flat.of(dweight).add(0, dg, 0, width);
    Flat.of(dbias).add(0, db, 0, width);
  }
}
