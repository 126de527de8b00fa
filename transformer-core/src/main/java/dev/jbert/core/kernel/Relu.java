package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code hidden_act: "relu"}: {@code max(x, 0)}, slope 1 where x > 0, else 0. One kernel for both precisions. */
public final class Relu {

  private Relu() {}

  /** {@code out = max(inp, 0)} and/or {@code slope = [inp > 0]}, whichever is not null. */
  public static void forward(INDArray out, INDArray slope, INDArray inp) {
    int n = (int) inp.length();
    Flat in = Flat.of(inp);
    Flat o = Flat.ofNullable(out);
    Flat s = Flat.ofNullable(slope);
    Parallel.rows(n, 4096, (part, from, to) -> {
      double[] v = new double[to - from];
      double[] d = new double[to - from];
      in.get(from, v, 0, v.length);
      for (int j = 0; j < v.length; j++) {
        d[j] = v[j] > 0 ? 1.0 : 0.0;
        v[j] = Math.max(v[j], 0.0);
      }
      if (o != null) {
        o.put(from, v, 0, v.length);
      }
      if (s != null) {
        s.put(from, d, 0, d.length);
      }
    });
  }
}
