package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fully connected op of {@code torch.nn.Linear}: {@code out = inp Wᵀ + b}, weight stored
 * [out, in]. Every product is one GEMM into a preallocated array (transpose flags, no copies); the
 * bias is added by one broadcast op and its gradient summed over rows by a Java kernel, so nothing
 * is allocated per call. (A rank-1 GEMM for the bias add took 12% of the forward pass in a profile;
 * as a rank-1 GEMM with a column of ones the bias gradient of [2048, 1536] took 1.4 ms, OpenBLAS
 * being slow at M = 1.)
 */
public final class Linear {

  private Linear() {}

  /**
   * {@code out = inp Wᵀ + b}: inp [rows, in], weight [out, in], bias [out] or null (then a fused
   * kernel of the caller adds it) → out [rows, out].
   */
  public static void forward(INDArray out, INDArray inp, INDArray weight, INDArray bias) {
    Gemm.matmul(inp, weight, out, false, true, 0.0);           // out = inp Wᵀ   [rows,in]x[in,out]
    if (bias != null) {
      addBias(out, bias);                                      // out += b per row
    }
  }

  /**
   * {@code out = inp Wᵀ + b} with W laid out once for inference ({@link InferenceWeight}: {@link
   * PackedWeight} or {@link MklPackedWeight}): inp [rows, in] FLOAT, bias [out] or null → out [rows,
   * out]. No backward: training uses the weight as stored.
   */
  public static void forward(INDArray out, INDArray inp, InferenceWeight weight, INDArray bias) {
    weight.multiply(inp, out);                                 // out = inp Wᵀ   [rows,in]x[in,out]
    if (bias != null) {
      addBias(out, bias);                                      // out += b per row
    }
  }

  /**
   * {@code out[r] += bias} for every row of out [rows, width], bias [width]: for FLOAT rows over the
   * kernel threads (ND4J's broadcast add ran on one: 11 ms of bert-base's 32×64 training step for
   * the attention's [2048, 2304]).
   */
  public static void addBias(INDArray out, INDArray bias) {
    if (Flat.isDouble(out)) {
      out.addiRowVector(bias.reshape(1, bias.length()));
      return;
    }
    int width = (int) out.size(1);
    Flat o = Flat.of(out);
    float[] b = Flat.of(bias).toFloats();
    Parallel.rows((int) out.size(0), 64, (part, from, to) -> {
      float[] row = new float[width];
      for (int r = from; r < to; r++) {
        o.get(r * width, row, 0, width);
        for (int j = 0; j < width; j++) {
          row[j] += b[j];
        }
        o.put(r * width, row, 0, width);
      }
    });
  }

  /**
   * {@code dinp = dout W}; accumulates {@code dweight += doutᵀ inp} and {@code dbias += Σ_rows dout}
   * (dbias null: no bias, or its gradient is summed elsewhere).
   */
  public static void backward(INDArray dinp, INDArray dweight, INDArray dbias, INDArray dout, INDArray inp,
      INDArray weight) {
    Gemm.matmul(dout, weight, dinp, false, false, 0.0);       // dinp  = dout W      [rows,out]x[out,in]
    Gemm.matmul(dout, inp, dweight, true, false, 1.0);        // dW   += doutᵀ inp   [out,rows]x[rows,in]
    if (dbias != null) {
      sumRowsInto(dbias, dout);                               // db   += Σ_rows dout
    }
  }

  /** {@code dst [width] += Σ_rows src [rows, width]}: per-slice partial sums, added at the end. */
  public static void sumRowsInto(INDArray dst, INDArray src) {
    int width = (int) src.size(1);
    int rows = (int) src.size(0);
    Flat in = Flat.of(src);
    Flat out = Flat.of(dst);
    if (Flat.isDouble(src)) {                                 // plain reference
      double[] d = in.toArray();
      double[] sum = new double[width];
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < width; j++) {
          sum[j] += d[r * width + j];
        }
      }
      out.add(0, sum, 0, width);
      return;
    }
    double[][] sums = new double[Parallel.maxParts()][width];
    Parallel.rows(rows, 64, (part, from, to) -> {
      float[] row = new float[width];
      float[] acc = new float[width];
      for (int r = from; r < to; r++) {
        in.get(r * width, row, 0, width);
        for (int j = 0; j < width; j++) {
          acc[j] += row[j];
        }
      }
      for (int j = 0; j < width; j++) {
        sums[part][j] = acc[j];
      }
    });
    for (double[] partial : sums) {
      out.add(0, partial, 0, width);
    }
  }
}
