package dev.jbert.core.nn;

import dev.jbert.core.Parameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected layer as {@code torch.nn.Linear}: {@code y = x Wᵀ + b}, weight stored
 * [out, in]. Every product is one GEMM into a preallocated array (transpose flags, no copies); the
 * bias is added by one broadcast op and its gradient summed over rows by a Java kernel, so nothing
 * is allocated per call. (A rank-1 GEMM for the bias add took 12% of the forward pass in a profile;
 * as a rank-1 GEMM with a column of ones the bias gradient of [2048, 1536] took 1.4 ms, OpenBLAS
 * being slow at M = 1.) Without a bias (null) the layer computes {@code x Wᵀ} and leaves the bias
 * to a fused kernel of its caller.
 */
public final class Linear {

  private final INDArray weight;     // [out, in]
  private final INDArray bias;       // [1, out] or null
  private final INDArray weightGrad; // [out, in]
  private final INDArray biasGrad;   // [1, out] or null
  private final INDArray y;          // [rows, out]
  private final Buffers buffers;
  private INDArray x;                // [rows, in], the last input
  private INDArray dx;               // [rows, in], allocated by the first backward

  /**
   * @param weight [out, in] and {@code bias} [out] (or [1, out], or null): views into a model's parameters
   * @param weightGrad, biasGrad gradients of the same shapes, accumulated by {@link #backward}
   * @param rows number of input rows of every call
   */
  public Linear(INDArray weight, INDArray bias, INDArray weightGrad, INDArray biasGrad, Buffers buffers, long rows) {
    this.weight = weight;
    this.bias = bias == null ? null : bias.reshape(1, bias.length());
    this.weightGrad = weightGrad;
    this.biasGrad = biasGrad == null ? null : biasGrad.reshape(1, biasGrad.length());
    this.buffers = buffers;
    this.y = buffers.zeros(rows, weight.size(0));
  }

  /** The layer whose parameters are {@code name + ".weight"} and {@code name + ".bias"}. */
  public static Linear of(Parameters p, String name, Buffers buffers, long rows) {
    return new Linear(p.value(name + ".weight"), p.value(name + ".bias"),
        p.grad(name + ".weight"), p.grad(name + ".bias"), buffers, rows);
  }

  /** {@code y = x Wᵀ + b}; x [rows, in] → y [rows, out] (owned by this layer, overwritten by the next call). */
  public INDArray forward(INDArray x) {
    this.x = x;
    Nd4j.gemm(x, weight, y, false, true, 1.0, 0.0); // y = x Wᵀ     [rows,in]x[in,out]
    if (bias != null) {
      y.addiRowVector(bias);                          // y += b per row
    }
    return y;
  }

  /** dy [rows, out] → dx = dy W [rows, in]; accumulates dW += dyᵀ x and db += Σ_rows dy. */
  public INDArray backward(INDArray dy) {
    if (dx == null) {
      dx = buffers.gradient(x.shape());
    }
    Nd4j.gemm(dy, weight, dx, false, false, 1.0, 0.0);       // dx  = dy W    [rows,out]x[out,in]
    Nd4j.gemm(dy, x, weightGrad, true, false, 1.0, 1.0);     // dW += dyᵀ x   [out,rows]x[rows,in]
    if (biasGrad != null) {
      sumRowsInto(dy, biasGrad);                              // db += Σ_rows dy
    }
    return dx;
  }

  /**
   * dst [1, out] += the sum of the rows of dy [rows, out]: per-slice partial sums, added at the end;
   * in float for FLOAT arrays (as the other float twins), in double for DOUBLE ones.
   */
  private static void sumRowsInto(INDArray dy, INDArray dst) {
    int width = (int) dy.size(1);
    Flat in = Flat.of(dy);
    boolean exact = dy.dataType() == DataType.DOUBLE;
    double[][] sums = new double[Parallel.maxParts()][width];
    Parallel.rows((int) dy.size(0), 64, (part, from, to) -> {
      double[] sum = sums[part];
      if (exact) {
        double[] row = new double[width];
        for (int r = from; r < to; r++) {
          in.get(r * width, row, 0, width);
          for (int j = 0; j < width; j++) {
            sum[j] += row[j];
          }
        }
      } else {
        float[] row = new float[width];
        float[] acc = new float[width];
        for (int r = from; r < to; r++) {
          in.get(r * width, row, 0, width);
          for (int j = 0; j < width; j++) {
            acc[j] += row[j];
          }
        }
        for (int j = 0; j < width; j++) {
          sum[j] = acc[j];
        }
      }
    });
    Flat out = Flat.of(dst);
    for (double[] partial : sums) {
      out.add(0, partial, 0, width);
    }
  }
}
