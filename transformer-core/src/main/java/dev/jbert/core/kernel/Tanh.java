package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/** tanh and its backward from the output ({@code 1 − tanh²}), for the pooler: a few rows, one kernel for both precisions. */
public final class Tanh {

  private Tanh() {}

  /** {@code out = tanh(inp)}: exact for DOUBLE arrays, float-accurate for FLOAT. */
  public static void forward(INDArray out, INDArray inp) {
    double[] t = Flat.of(inp).toArray();
    Functions.tanh(t, 0, t.length, Flat.isDouble(inp));
    Flat.of(out).put(0, t, 0, t.length);
  }

  /** {@code dinp = dout ⊙ (1 − out²)} with {@code out} the forward's output. */
  public static void backward(INDArray dinp, INDArray dout, INDArray out) {
    double[] y = Flat.of(out).toArray();
    double[] d = Flat.of(dout).toArray();
    for (int i = 0; i < d.length; i++) {
      d[i] *= 1.0 - y[i] * y[i];
    }
    Flat.of(dinp).put(0, d, 0, d.length);
  }
}
