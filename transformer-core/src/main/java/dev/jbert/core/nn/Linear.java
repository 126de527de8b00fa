package dev.jbert.core.nn;

import dev.jbert.core.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected layer as {@code torch.nn.Linear}: {@code y = x Wᵀ + b}, weight stored
 * [out, in]. Every product is one GEMM into a preallocated array; the bias is broadcast and summed
 * by rank-1 GEMMs with a column of ones, so nothing is allocated per call. Without a bias (null)
 * the layer computes {@code x Wᵀ} and leaves the bias to a fused kernel of its caller.
 */
public final class Linear {

  private final INDArray weight;     // [out, in]
  private final INDArray bias;       // [1, out] or null
  private final INDArray weightGrad; // [out, in]
  private final INDArray biasGrad;   // [1, out] or null
  private final INDArray ones;       // [rows, 1]
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
    this.ones = buffers.onesColumn(rows);
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
    if (bias != null) {
      Nd4j.gemm(ones, bias, y, false, false, 1.0, 0.0); // y  = 1 b      [rows,1]x[1,out]
    }
    Nd4j.gemm(x, weight, y, false, true, 1.0, bias != null ? 1.0 : 0.0); // y (+)= x Wᵀ  [rows,in]x[in,out]
    return y;
  }

  /** dy [rows, out] → dx = dy W [rows, in]; accumulates dW += dyᵀ x and db += Σ_rows dy. */
  public INDArray backward(INDArray dy) {
    if (dx == null) {
      dx = buffers.zeros(x.shape());
    }
    Nd4j.gemm(dy, weight, dx, false, false, 1.0, 0.0);       // dx  = dy W    [rows,out]x[out,in]
    Nd4j.gemm(dy, x, weightGrad, true, false, 1.0, 1.0);     // dW += dyᵀ x   [out,rows]x[rows,in]
    if (biasGrad != null) {
      Nd4j.gemm(ones, dy, biasGrad, true, false, 1.0, 1.0);  // db += 1ᵀ dy   [1,rows]x[rows,out]
    }
    return dx;
  }
}
