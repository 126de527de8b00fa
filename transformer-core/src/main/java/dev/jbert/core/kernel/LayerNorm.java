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
 * The row steps of the float kernels are {@link VectorLayerNorm}'s where the Vector API runs on
 * 16-float vectors and {@link PlainLayerNorm}'s elsewhere, which give the same floats (sums in 16
 * lanes, fused multiply-adds). bert-base's 32×64 training step, CPU profile on 2 vCPUs of an Emerald
 * Rapids Xeon: forward 44 ms and backward 45 ms a step against 97 and 83 ms with the plain loops
 * and their sums in four double accumulators, which training kept until then.
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
    boolean vector = PackedWeight.wideVectors() && VectorLayerNorm.fits(width);
    // Inference splits even one sequence's rows between the threads: a serial layer norm left the
    // other core idle in each of BERT's two per layer.
    Parallel.rows(rows, vector && norm == null ? INFERENCE_MIN_ROWS : 64, (part, from, to) -> {
      float[] v = Flat.scratch(ROWS, BLOCK_ROWS * width);   // a block of rows, copied in and out at once
      float[] r = res == null ? null : Flat.scratch(RESIDUAL_ROWS, BLOCK_ROWS * width);
      for (int first = from; first < to; first += BLOCK_ROWS) {
        int last = Math.min(to, first + BLOCK_ROWS);
        int len = (last - first) * width;
        in.get(first * width, v, 0, len);
        if (r != null) {
          res.get(first * width, r, 0, len);
        }
        for (int row = first, off = 0; row < last; row++, off += width) {
          rstd[row] = vector
              ? VectorLayerNorm.normalise(v, off, width, ib, mask, row * width, r, eps)
              : PlainLayerNorm.normalise(v, off, width, ib, mask, row * width, r, eps);
          if (norm != null) {
            norm.put(row * width, v, off, width);
          }
          if (vector) {
            VectorLayerNorm.affine(v, off, width, g, b);
          } else {
            PlainLayerNorm.affine(v, off, width, g, b);
          }
        }
        o.put(first * width, v, 0, len);
      }
    });
  }

  /**
   * Rows a thread takes through the steps at a time: a part's rows at once (a 1,024-row half of
   * bert-base's 32×64 is 3 MB) left the cache between the copy in and the copy out.
   */
  private static final int BLOCK_ROWS = 16;

  /** Rows per thread below which an inference forward stays on one thread. */
  private static final int INFERENCE_MIN_ROWS = 16;
  private static final ThreadLocal<float[]> ROWS = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> RESIDUAL_ROWS = ThreadLocal.withInitial(() -> new float[0]);

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
    boolean vector = PackedWeight.wideVectors() && VectorLayerNorm.fits(width);
    Parallel.rows(rows, 64, (part, from, to) -> {
      float[] d = new float[width], n = new float[width];
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
        if (vector) {
          VectorLayerNorm.backward(d, n, g, dgf, dbf, (float) rstd[row], width);
        } else {
          PlainLayerNorm.backward(d, n, g, dgf, dbf, (float) rstd[row], width);
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
