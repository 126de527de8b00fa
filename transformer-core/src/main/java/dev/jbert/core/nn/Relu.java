package dev.jbert.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code hidden_act: "relu"}: y = max(x, 0), dx = dy where x > 0, else 0. */
public final class Relu implements Activation {

  private final int rows;
  private final int width;
  private final Buffers buffers;
  private final INDArray y;   // [rows, width]
  private INDArray x;         // [rows, width], the last input
  private INDArray dx;        // [rows, width]

  public Relu(Buffers buffers, int rows, int width) {
    this.rows = rows;
    this.width = width;
    this.buffers = buffers;
    this.y = buffers.zeros(rows, width);
  }

  @Override
  public INDArray forward(INDArray x) {
    this.x = x;
    Flat in = Flat.of(x);
    Flat out = Flat.of(y);
    Parallel.rows(rows, 16, (part, from, to) -> {
      double[] v = new double[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        for (int j = 0; j < width; j++) {
          v[j] = Math.max(v[j], 0.0);
        }
        out.put(row * width, v, 0, width);
      }
    });
    return y;
  }

  @Override
  public INDArray backward(INDArray dy) {
    if (dx == null) {
      dx = buffers.zeros(rows, width);
    }
    Flat in = Flat.of(x);
    Flat dOut = Flat.of(dy);
    Flat dIn = Flat.of(dx);
    Parallel.rows(rows, 16, (part, from, to) -> {
      double[] v = new double[width];
      double[] d = new double[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        dOut.get(row * width, d, 0, width);
        for (int j = 0; j < width; j++) {
          d[j] = v[j] > 0 ? d[j] : 0.0;
        }
        dIn.put(row * width, d, 0, width);
      }
    });
    return dx;
  }
}
