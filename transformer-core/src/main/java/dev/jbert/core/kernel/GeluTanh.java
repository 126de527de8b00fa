package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tanh approximation of GELU ({@code hidden_act: "gelu_new"} or {@code "gelu_pytorch_tanh"}):
 * {@code 0.5 x (1 + tanh u)}, {@code u = √(2/π) (x + 0.044715 x³)}; slope
 * {@code 0.5 (1 + tanh u) + 0.5 x (1 − tanh² u) √(2/π) (1 + 3·0.044715 x²)}. One kernel over
 * double rows for both precisions (no BERT checkpoint of this project uses it on a hot path); tanh
 * is exact for DOUBLE arrays and float-accurate otherwise.
 */
public final class GeluTanh {

  private static final double SQRT_2_OVER_PI = 0.7978845608028654;
  private static final double K = 0.044715;

  private GeluTanh() {}

  /** {@code out = f(inp + bias)} and/or {@code slope = f'(inp + bias)}, whichever is not null; bias may be null. */
  public static void forward(INDArray out, INDArray slope, INDArray inp, INDArray bias) {
    int rows = (int) inp.size(0);
    int width = (int) inp.size(1);
    boolean exact = Flat.isDouble(inp);
    Flat in = Flat.of(inp);
    Flat o = Flat.ofNullable(out);
    Flat s = Flat.ofNullable(slope);
    double[] b = Activation.biasDoubles(bias, width);
    Parallel.rows(rows, 16, (part, from, to) -> {
      double[] v = new double[width];
      double[] t = new double[width];
      double[] d = new double[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        for (int j = 0; j < width; j++) {
          v[j] += b[j];
          t[j] = SQRT_2_OVER_PI * (v[j] + K * v[j] * v[j] * v[j]);
        }
        Functions.tanh(t, 0, width, exact);
        if (s != null) {
          for (int j = 0; j < width; j++) {
            double du = SQRT_2_OVER_PI * (1.0 + 3.0 * K * v[j] * v[j]);
            d[j] = 0.5 * (1.0 + t[j]) + 0.5 * v[j] * (1.0 - t[j] * t[j]) * du;
          }
          s.put(row * width, d, 0, width);
        }
        if (o != null) {
          for (int j = 0; j < width; j++) {
            v[j] = 0.5 * v[j] * (1.0 + t[j]);
          }
          o.put(row * width, v, 0, width);
        }
      }
    });
  }
}
