package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The element-wise activation a BERT config names in {@code hidden_act}. Each forward can write the
 * slope f'(x) beside f(x), and every backward is then {@code dinp = dout ⊙ slope}.
 */
public enum Activation {
  /** {@code gelu}: the exact erf form ({@link Gelu}). */
  GELU,
  /** {@code gelu_new}, {@code gelu_pytorch_tanh}: the tanh form ({@link GeluTanh}). */
  GELU_TANH,
  /** {@code relu} ({@link Relu}). */
  RELU;

  /** The activation {@code hidden_act} names; other names are refused. */
  public static Activation of(String hiddenAct) {
    return switch (hiddenAct) {
      case "gelu" -> GELU;
      case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
      case "relu" -> RELU;
      default -> throw new IllegalArgumentException("hidden_act '" + hiddenAct + "' is not supported");
    };
  }

  /**
   * {@code out = f(inp + bias)} and/or {@code slope = f'(inp + bias)}, whichever is not null; all
   * [rows, width], bias [width] or null; out may be inp (each row is read before it is written).
   * The bias of the linear before is added here, in the same pass, instead of by an ND4J op of its
   * own (the linears' ND4J bias adds were 5.2% of a batch-1 MiniLM forward in a profile, mostly
   * dispatch).
   */
  public void forward(INDArray out, INDArray slope, INDArray inp, INDArray bias) {
    switch (this) {
      case GELU -> Gelu.forward(out, slope, inp, bias);
      case GELU_TANH -> GeluTanh.forward(out, slope, inp, bias);
      case RELU -> Relu.forward(out, slope, inp, bias);
      default -> throw new AssertionError(this);
    }
  }

  /**
   * {@code out = f(inp + bias)} when no backward follows (inference; out may be inp): {@link #forward}'s
   * output, the same floats, for GELU from a faster kernel ({@link Gelu#inference}).
   */
  public void inference(INDArray out, INDArray inp, INDArray bias) {
    if (this == GELU) {
      Gelu.inference(out, inp, bias);
    } else {
      forward(out, null, inp, bias);
    }
  }

  /**
   * {@code f(y + bias)} as the epilogue of the packed batch-1 GEMM ({@link Gemm#matmul(INDArray,
   * PackedWeight, INDArray, Epilogue)}), computed as {@link #inference} computes it for many rows; null
   * where this activation has none (then the caller runs {@link #inference} after the product).
   * Only where the packed kernel runs: FLOAT, with the Vector API's 16-float vectors.
   *
   * @param bias [width] or null
   */
  public Epilogue epilogue(INDArray bias, int width) {
    return this == GELU && PackedWeight.wideVectors() ? Gelu.epilogue(bias, width) : null;
  }

  /** {@code dinp = dout ⊙ slope}, with the slope a forward wrote. */
  public void backward(INDArray dinp, INDArray dout, INDArray slope) {
    multiply(dinp, dout, slope);
  }

  /** The bias as float (zeros for null), for the float kernels. */
  static float[] biasFloats(INDArray bias, int width) {
    return bias == null ? new float[width] : Flat.of(bias).toFloats();
  }

  /** The bias as double (zeros for null), for the double kernels. */
  static double[] biasDoubles(INDArray bias, int width) {
    return bias == null ? new double[width] : Flat.of(bias).toArray();
  }

  static void multiply(INDArray out, INDArray a, INDArray b) {
    Nd4j.getExecutioner().exec(new MulOp(a, b, out));
  }
}
