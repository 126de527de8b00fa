package dev.jbert.core.nn;

import dev.jbert.core.kernel.Activation;
import dev.jbert.core.kernel.DropoutMask;
import dev.jbert.core.kernel.Embedding;
import dev.jbert.core.kernel.LayerNorm;
import dev.jbert.core.kernel.Linear;
import dev.jbert.core.param.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Single kernels with their saved tensors held for a test: each wrapper allocates what the kernel
 * saves and calls the kernel's forward and backward, as a module does, so that tests of one op
 * read as a call and a check.
 */
final class Ops {

  private Ops() {}

  /** {@link Linear} over the parameters {@code name.weight}, {@code name.bias}. */
  static final class LinearOp {
    private final Parameters p;
    private final String name;
    private final INDArray y;
    private INDArray x;
    private INDArray dx;

    LinearOp(Parameters p, String name, Buffers buffers, long rows) {
      this.p = p;
      this.name = name;
      this.y = buffers.empty(rows, p.shape(name + ".weight")[0]);
    }

    INDArray forward(INDArray x) {
      this.x = x;
      Linear.forward(y, x, p.value(name + ".weight"), p.value(name + ".bias"));
      return y;
    }

    INDArray backward(INDArray dy) {
      dx = dx == null ? x.like().assign(0) : dx;
      Linear.backward(dx, p.grad(name + ".weight"), p.grad(name + ".bias"), dy, x, p.value(name + ".weight"));
      return dx;
    }
  }

  /** {@link LayerNorm} over the parameters {@code name.weight}, {@code name.bias}, without dropout. */
  static final class LayerNormOp {
    private final Parameters p;
    private final String name;
    private final double eps;
    private final INDArray y;
    private final INDArray xhat;
    private final double[] rstd;
    private final INDArray dx;

    private LayerNormOp(Parameters p, String name, double eps, Buffers buffers, int rows) {
      this.p = p;
      this.name = name;
      this.eps = eps;
      long width = p.shape(name + ".weight")[0];
      this.y = buffers.empty(rows, width);
      this.xhat = buffers.empty(rows, width);
      this.rstd = new double[rows];
      this.dx = buffers.empty(rows, width);
    }

    static LayerNormOp of(Parameters p, String name, double eps, Buffers buffers, int rows) {
      return new LayerNormOp(p, name, eps, buffers, rows);
    }

    INDArray forward(INDArray x) {
      return forward(x, null);
    }

    INDArray forward(INDArray x, INDArray residual) {
      LayerNorm.forward(y, xhat, rstd, x, null, null, residual, p.value(name + ".weight"), p.value(name + ".bias"), eps);
      return y;
    }

    INDArray backward(INDArray dy) {
      return backward(dy, null);
    }

    INDArray backward(INDArray dy, INDArray dyOther) {
      LayerNorm.backward(dx, null, p.grad(name + ".weight"), p.grad(name + ".bias"), dy, dyOther, xhat, rstd,
          p.value(name + ".weight"), null);
      return dx;
    }
  }

  /** An {@link Activation} keeping the input of its last forward for the backward. */
  static final class ActivationOp {
    private final Activation activation;
    private final INDArray y;
    private final INDArray dx;
    private INDArray x;

    ActivationOp(String hiddenAct, Buffers buffers, int rows, int width) {
      this.activation = Activation.of(hiddenAct);
      this.y = buffers.empty(rows, width);
      this.dx = buffers.empty(rows, width);
    }

    INDArray forward(INDArray x) {
      this.x = x;
      activation.forward(y, x, null);
      return y;
    }

    INDArray backward(INDArray dy) {
      activation.backward(dx, dy, x, null);
      return dx;
    }
  }

  /** A standalone dropout: a mask drawn from the mode per forward, the identity when none is drawn. */
  static final class DropoutOp {
    private final double p;
    private final TrainingMode mode;
    private final INDArray y;
    private final INDArray dx;
    private DropoutMask mask;

    DropoutOp(double p, TrainingMode mode, Buffers buffers, long... shape) {
      this.p = p;
      this.mode = mode;
      this.y = buffers.empty(shape);
      this.dx = buffers.empty(shape);
    }

    INDArray forward(INDArray x) {
      mask = mode.drawMask(p);
      if (mask == null) {
        return x;
      }
      DropoutMask.apply(y, x, mask);
      return y;
    }

    INDArray backward(INDArray dy) {
      if (mask == null) {
        return dy;
      }
      DropoutMask.apply(dx, dy, mask);
      return dx;
    }

    void maskInPlace(int from, float[] row, int off, int len) {
      mask.applyInPlace(from, row, off, len);
    }

    void maskInPlace(int from, double[] row, int off, int len) {
      mask.applyInPlace(from, row, off, len);
    }
  }

  /** {@link Embedding} over {@code prefix + "word_embeddings.weight"} and the position and token type tables. */
  static final class EmbeddingOp {
    private final Parameters p;
    private final String prefix;
    private final int padTokenId;
    private final int seq;
    private final INDArray y;
    private int[] ids;
    private int[] types;

    EmbeddingOp(Parameters p, String prefix, int padTokenId, Buffers buffers, int batch, int seq) {
      this.p = p;
      this.prefix = prefix;
      this.padTokenId = padTokenId;
      this.seq = seq;
      this.y = buffers.empty((long) batch * seq, p.shape(prefix + "word_embeddings.weight")[1]);
    }

    INDArray forward(int[] ids, int[] types) {
      this.ids = ids;
      this.types = types;
      Embedding.forward(y, ids, types, seq, p.value(prefix + "word_embeddings.weight"),
          p.value(prefix + "position_embeddings.weight"), p.value(prefix + "token_type_embeddings.weight"));
      return y;
    }

    void backward(INDArray dy) {
      Embedding.backward(p.grad(prefix + "word_embeddings.weight"), p.grad(prefix + "position_embeddings.weight"),
          p.grad(prefix + "token_type_embeddings.weight"), dy, ids, types, seq, padTokenId);
    }
  }
}
