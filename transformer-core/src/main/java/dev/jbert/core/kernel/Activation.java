package dev.jbert.core.kernel;

import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The element-wise activation a BERT config names in {@code hidden_act}: {@link #forward} f(x) and
 * {@link #backward} {@code dout ⊙ f'(x)}, the slope computed from x again (GELU's erf and exp cost
 * less than writing a slope array in the forward and reading it back, see {@link Gelu}).
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
   * {@code out = f(inp + bias)}: all [rows, width], bias [width] or null (the bias of the linear
   * before, added here in the same pass instead of by an ND4J op of its own: the linears' ND4J bias
   * adds were 5.2% of a batch-1 MiniLM forward in a profile, mostly dispatch); out may be inp (each
   * row is read before it is written). GELU's from its fastest kernel here ({@link
   * Gelu#forward(INDArray, INDArray, INDArray)}), which gives the same floats as its plain loop.
   */
  public void forward(INDArray out, INDArray inp, INDArray bias) {
    switch (this) {
      case GELU -> Gelu.forward(out, inp, bias);
      case GELU_TANH -> GeluTanh.forward(out, null, inp, bias);
      case RELU -> Relu.forward(out, null, inp, bias);
      default -> throw new AssertionError(this);
    }
  }

  /**
   * {@code f(y + bias)} as the epilogue of the packed batch-1 GEMM ({@link Gemm#matmul(INDArray,
   * PackedWeight, INDArray, Epilogue)}), computed as {@link #forward} computes it for many rows; null
   * where this activation has none (then the caller runs {@link #forward} after the product).
   * Only where the packed kernel runs: FLOAT, with the Vector API's 16-float vectors.
   *
   * @param bias [width] or null
   */
  public Epilogue epilogue(INDArray bias, int width) {
    return this == GELU && PackedWeight.wideVectors() ? Gelu.epilogue(bias, width) : null;
  }

  /**
   * {@code dinp = dout ⊙ f'(inp + bias)}, the slope computed from the forward's input and bias
   * (nothing is kept between the two); dinp may be dout.
   */
  public void backward(INDArray dinp, INDArray dout, INDArray inp, INDArray bias) {
    switch (this) {
      case GELU -> Gelu.backward(dinp, dout, inp, bias);
      case GELU_TANH -> multiplyBySlope(dinp, dout, slope -> GeluTanh.forward(null, slope, inp, bias));
      case RELU -> multiplyBySlope(dinp, dout, slope -> Relu.forward(null, slope, inp, bias));
      default -> throw new AssertionError(this);
    }
  }

  /**
   * {@code dinp = dout ⊙ slope}, the slope written by {@code slopeInto} into dinp's array (into a
   * scratch one where dinp is dout): the backward of the kernels that compute the slope as a pass of
   * its own.
   */
  static void multiplyBySlope(INDArray dinp, INDArray dout, Consumer<INDArray> slopeInto) {
    INDArray slope = dinp == dout ? dout.ulike() : dinp;
    slopeInto.accept(slope);
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
