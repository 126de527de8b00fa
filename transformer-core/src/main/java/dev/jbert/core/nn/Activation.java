package dev.jbert.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** An element-wise activation with its derivative: the {@code hidden_act} of a BERT config. */
public interface Activation {

  /** y = f(x), same shape as x; the result is owned by the activation. */
  INDArray forward(INDArray x);

  /** dy → dx = dy · f'(x) for the x of the last forward. */
  INDArray backward(INDArray dy);

  /**
   * The activation {@code hidden_act} names: {@code gelu} (exact erf), {@code gelu_new} or
   * {@code gelu_pytorch_tanh} (tanh form), {@code relu}.
   *
   * @param rows, width the shape of every input
   * @param mode the model's mode: activations that cache for their backward do so only when
   *     training (null: always)
   */
  static Activation create(String hiddenAct, Buffers buffers, int rows, int width, TrainingMode mode) {
    return switch (hiddenAct) {
      case "gelu" -> new Gelu(buffers, rows, width, mode);
      case "gelu_new", "gelu_pytorch_tanh" -> new GeluTanh(buffers, rows, width);
      case "relu" -> new Relu(buffers, rows, width);
      default -> throw new IllegalArgumentException("hidden_act '" + hiddenAct + "' is not supported");
    };
  }
}
