package dev.jbert.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The exact GELU of BERT's {@code hidden_act: "gelu"}: {@code 0.5 x (1 + erf(x/√2)) = x Φ(x)},
 * derivative {@code Φ(x) + x φ(x)}.
 *
 * <p>ND4J's GELU ops are approximations (x·σ(1.702x) and a tanh form) and miss the references, so
 * erf is computed here: to double precision for DOUBLE models, with a float-accurate rational
 * approximation for FLOAT ({@link Functions}). Measured at [2048, 1536] float, interleaved
 * (KernelTiming, min of 20, 2 threads): forward 4.9 ms against 25.5 ms for the ND4J chain
 * mul–erf–add–mul–mul; backward 8.5 ms against 33.9 ms for the equivalent chain of 8 ND4J ops.
 */
public final class Gelu implements Activation {

  private static final double INV_SQRT2 = 0.7071067811865476;
  private static final double INV_SQRT_2PI = 0.3989422804014327;

  private final int rows;
  private final int width;
  private final boolean exact;
  private final Buffers buffers;
  private final INDArray y;   // [rows, width]
  private INDArray x;         // [rows, width], the last input
  private INDArray dx;        // [rows, width]

  public Gelu(Buffers buffers, int rows, int width) {
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
      double[] cdf = new double[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        for (int j = 0; j < width; j++) {
          cdf[j] = v[j] * INV_SQRT2;
        }
        Functions.erf(cdf, 0, width, exact);
        for (int j = 0; j < width; j++) {
          v[j] = 0.5 * v[j] * (1.0 + cdf[j]);
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
      double[] cdf = new double[width];
      double[] pdf = new double[width];
      double[] d = new double[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        dOut.get(row * width, d, 0, width);
        for (int j = 0; j < width; j++) {
          cdf[j] = v[j] * INV_SQRT2;
          pdf[j] = -0.5 * v[j] * v[j];
        }
        Functions.erf(cdf, 0, width, exact);
        Functions.expNonPositive(pdf, 0, width, exact);
        for (int j = 0; j < width; j++) {
          d[j] *= 0.5 * (1.0 + cdf[j]) + v[j] * INV_SQRT_2PI * pdf[j];
        }
        dIn.put(row * width, d, 0, width);
      }
    });
    return dx;
  }
}
