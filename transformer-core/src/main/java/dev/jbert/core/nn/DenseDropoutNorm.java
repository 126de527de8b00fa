package dev.jbert.core.nn;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.kernel.DropoutMask;
import dev.jbert.core.kernel.LayerNorm;
import dev.jbert.core.kernel.Linear;
import dev.jbert.core.param.ParameterScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code LayerNorm(dropout(dense(x)) + residual)}: the body Hugging Face writes twice, as
 * {@link BertSelfOutput} (hidden → hidden) and {@link BertOutput} (intermediate → hidden). The
 * dropout runs inside the LayerNorm kernel, forward and backward.
 */
public abstract sealed class DenseDropoutNorm permits BertSelfOutput, BertOutput {

  private final ParameterScope.Linear dense;
  private final ParameterScope.Norm norm;
  private final double dropoutProb;
  private final double eps;
  private final TrainingMode mode;
  private final int in;
  private final int out;

  DenseDropoutNorm(ParameterScope s, BertConfig c, int in, TrainingMode mode) {
    this.in = in;
    this.out = c.hiddenSize();
    this.dense = s.linear("dense", out, in);
    this.norm = s.layerNorm("LayerNorm", out);
    this.dropoutProb = c.hiddenDropoutProb();
    this.eps = c.layerNormEps();
    this.mode = mode;
  }

  /** What the forward keeps for the backward, and the backward's scratch, for one input shape. */
  public static final class Activations {
    private final Buffers buffers;
    private final int rows;
    final INDArray dense;        // [rows, out] x Wᵀ, before the bias and the dropout (forward scratch)
    final INDArray out;          // [rows, out] the module's output
    final INDArray xhat;         // [rows, out] saved by the LayerNorm; null when no backward follows
    final double[] rstd;         // [rows]
    INDArray input;              // [rows, in] x of the last forward (another module's output)
    DropoutMask mask;            // the dropout of the last forward, null if none acted
    private INDArray dSum;       // [rows, out] gradient of dropout(dense(x)) + residual
    private INDArray dBranch;    // [rows, out] the same through the dropout
    private INDArray dInput;     // [rows, in]

    private Activations(Buffers b, int rows, int out) {
      this.buffers = b;
      this.rows = rows;
      this.dense = b.scratch(rows, out);
      this.out = b.empty(rows, out);
      this.xhat = b.forwardOnly() ? null : b.empty(rows, out);
      this.rstd = new double[rows];
    }
  }

  /** The gradients of the two inputs: {@code x} (through the dense) and the residual. */
  public record Gradients(INDArray dInput, INDArray dResidual) {}

  /** Buffers for {@code rows} tokens. */
  public Activations allocate(Buffers b, int rows) {
    return new Activations(b, rows, out);
  }

  /** {@code LayerNorm(dropout(dense(x)) + residual)}, x [rows, in], residual [rows, hidden]. */
  public INDArray forward(Activations a, INDArray x, INDArray residual) {
    a.input = x;
    Projection.forward(a.dense, x, dense.weight(), a.buffers.forwardOnly()); // the bias is added by the LayerNorm
    a.mask = mode.drawMask(dropoutProb);
    LayerNorm.forward(a.out, a.xhat, a.rstd, a.dense, dense.bias().value(), a.mask, residual, norm.weight().value(),
        norm.bias().value(), eps);
    return a.out;
  }

  /**
   * From {@code dout + dother} (dother may be null: the output's second consumer) to the
   * gradients of x and of the residual; accumulates the dense and LayerNorm parameter gradients.
   */
  public Gradients backward(Activations a, INDArray dout, INDArray dother) {
    if (a.dSum == null) {
      a.dSum = a.buffers.gradient(a.rows, out);
    }
    if (a.mask != null && a.dBranch == null) {
      a.dBranch = a.buffers.gradient(a.rows, out);
    }
    LayerNorm.backward(a.dSum, a.dBranch, norm.weight().grad(), norm.bias().grad(), dout, dother, a.xhat, a.rstd,
        norm.weight().value(), a.mask);
    if (a.dInput == null) {
      a.dInput = a.buffers.gradient(a.rows, in);
    }
    INDArray dDense = a.mask == null ? a.dSum : a.dBranch;
    Linear.backward(a.dInput, dense.weight().grad(), dense.bias().grad(), dDense, a.input, dense.weight().value());
    return new Gradients(a.dInput, a.dSum);
  }
}
