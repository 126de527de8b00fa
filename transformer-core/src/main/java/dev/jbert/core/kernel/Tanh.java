package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/** tanh and its backward from the output ({@code 1 − tanh²}), for the pooler: a few rows, one kernel for both precisions. */
public final class Tanh {

  private Tanh() {}

  /**
   * {@code out = tanh(inp + bias)}, inp and out [rows, width], bias [width] or null (the linear
   * before then adds its own): exact for DOUBLE arrays, float-accurate for FLOAT.
   */
  public static void forward(INDArray out, INDArray inp, INDArray bias) {
    boolean exact = Flat.isDouble(inp);
    double[] t = Flat.of(inp).toArray();
    if (bias != null) {
      double[] b = Flat.of(bias).toArray();
      for (int i = 0; i < t.length; i++) {                   // a float sum for FLOAT, as ND4J's bias add was
        t[i] = exact ? t[i] + b[i % b.length] : (float) t[i] + (float) b[i % b.length];
      }
    }
    Functions.tanh(t, 0, t.length, exact);
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
