package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code hidden_act: "relu"}: {@code max(x, 0)}, slope 1 where x > 0, else 0. One kernel for both precisions. */
public final class Relu {

  private Relu() {}

  /** {@code out = max(inp + bias, 0)} and/or {@code slope = [inp + bias > 0]}, whichever is not null; bias may be null. */
  public static void forward(INDArray out, INDArray slope, INDArray inp, INDArray bias) {
    int rows = (int) inp.size(0);
    int width = (int) inp.size(1);
    Flat in = Flat.of(inp);
    Flat o = Flat.ofNullable(out);
    Flat s = Flat.ofNullable(slope);
    double[] b = Activation.biasDoubles(bias, width);
    Parallel.rows(rows, 16, (part, from, to) -> {
      double[] v = new double[width];
      double[] d = new double[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        for (int j = 0; j < width; j++) {
          v[j] += b[j];
          d[j] = v[j] > 0 ? 1.0 : 0.0;
          v[j] = Math.max(v[j], 0.0);
        }
        if (o != null) {
          o.put(row * width, v, 0, width);
        }
        if (s != null) {
          s.put(row * width, d, 0, width);
        }
      }
    });
  }
}
