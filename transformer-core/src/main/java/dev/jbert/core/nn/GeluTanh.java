package dev.jbert.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tanh approximation of GELU ({@code hidden_act: "gelu_new"} or {@code "gelu_pytorch_tanh"}):
 * {@code 0.5 x (1 + tanh(u))}, {@code u = √(2/π) (x + 0.044715 x³)}; derivative
 * {@code 0.5 (1 + tanh u) + 0.5 x (1 − tanh² u) √(2/π) (1 + 3·0.044715 x²)}.
 */
public final class GeluTanh implements Activation {

  private static final double SQRT_2_OVER_PI = 0.7978845608028654;
  private static final double K = 0.044715;

  private final int rows;
  private final int width;
  private final boolean exact;
  private final Buffers buffers;
  private final INDArray y;   // [rows, width]
  private INDArray x;         // [rows, width], the last input
  private INDArray dx;        // [rows, width]

  public GeluTanh(Buffers buffers, int rows, int width) {
    this.rows = rows;
    this.width = width;
    this.exact = buffers.dataType() == DataType.DOUBLE;
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
      double[] t = new double[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        for (int j = 0; j < width; j++) {
          t[j] = SQRT_2_OVER_PI * (v[j] + K * v[j] * v[j] * v[j]);
        }
        Functions.tanh(t, 0, width, exact);
        for (int j = 0; j < width; j++) {
          v[j] = 0.5 * v[j] * (1.0 + t[j]);
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
      double[] t = new double[width];
      double[] d = new double[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        dOut.get(row * width, d, 0, width);
        for (int j = 0; j < width; j++) {
          t[j] = SQRT_2_OVER_PI * (v[j] + K * v[j] * v[j] * v[j]);
        }
        Functions.tanh(t, 0, width, exact);
        for (int j = 0; j < width; j++) {
          double du = SQRT_2_OVER_PI * (1.0 + 3.0 * K * v[j] * v[j]);
          d[j] *= 0.5 * (1.0 + t[j]) + 0.5 * v[j] * (1.0 - t[j] * t[j]) * du;
        }
        dIn.put(row * width, d, 0, width);
      }
    });
    return dx;
  }
}
