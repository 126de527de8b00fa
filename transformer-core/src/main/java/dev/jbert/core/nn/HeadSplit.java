package dev.jbert.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Splits the fused Q, K, V projection [batch·seq, 3·hidden] into heads [batch·heads, seq, headDim]
 * while adding the fused bias; backward, merges the head gradients into [batch·seq, 3·hidden] while
 * summing the bias gradient. Row t = (b, s) of the projection holds, for each of Q, K, V and head h,
 * headDim values that belong to row s of head (b, h).
 *
 * <p>Measured at MiniLM's [2048, 3·384], 12 heads, interleaved, on the shared 2-core machine: a bias
 * GEMM plus three ND4J assigns of permuted views 7.3 ms (lower quartile of 50), this kernel 4.3 ms;
 * copying a whole sequence per bulk transfer instead of one row was no faster.
 */
public final class HeadSplit {

  private final Flat bias;          // [3·hidden]: query, key, value biases
  private final Flat biasGrad;      // [3·hidden]
  private final Buffers buffers;
  private final int batch;
  private final int seq;
  private final int heads;
  private final int headDim;
  private final boolean exact;      // DOUBLE: double rows; FLOAT: float rows (a pure copy)
  private final INDArray q;         // [batch·heads, seq, headDim]
  private final INDArray k;
  private final INDArray v;
  private INDArray dqkv;            // [batch·seq, 3·hidden]

  /** @param bias, biasGrad the fused [3·hidden] query, key and value biases and their gradient */
  public HeadSplit(INDArray bias, INDArray biasGrad, Buffers buffers, int batch, int seq, int heads, int headDim) {
    this.bias = Flat.of(bias);
    this.biasGrad = Flat.ofNullable(biasGrad);
    this.buffers = buffers;
    this.batch = batch;
    this.seq = seq;
    this.heads = heads;
    this.headDim = headDim;
    this.exact = buffers.dataType() == DataType.DOUBLE;
    long bh = (long) batch * heads;
    this.q = buffers.zeros(bh, seq, headDim);
    this.k = buffers.zeros(bh, seq, headDim);
    this.v = buffers.zeros(bh, seq, headDim);
  }

  /** projected [batch·seq, 3·hidden] (without bias) → Q, K, V, read with {@link #q()}, {@link #k()}, {@link #v()}. */
  public void forward(INDArray projected) {
    Flat in = Flat.of(projected);
    Flat[] out = {Flat.of(q), Flat.of(k), Flat.of(v)};
    double[] b = bias.toArray();
    if (exact) {
      Parallel.rows(batch * seq, 64, (part, from, to) -> splitRows(in, out, b, from, to));
    } else {
      float[] bf = Functions.toFloats(b);
      Parallel.rows(batch * seq, 64, (part, from, to) -> splitRowsFloat(in, out, bf, from, to));
    }
  }

  /** Element offset of row s of head (b, h) in [batch·heads, seq, headDim], for token t = b·seq + s. */
  private int headRow(int t, int h) {
    return ((t / seq * heads + h) * seq + t % seq) * headDim;
  }

  private void splitRows(Flat in, Flat[] out, double[] b, int from, int to) {
    int width = 3 * heads * headDim;
    double[] row = new double[width];
    for (int t = from; t < to; t++) {
      in.get(t * width, row, 0, width);
      for (int j = 0; j < width; j++) {
        row[j] += b[j];
      }
      for (int which = 0; which < 3; which++) {
        for (int h = 0; h < heads; h++) {
          out[which].put(headRow(t, h), row, (which * heads + h) * headDim, headDim);
        }
      }
    }
  }

  /** The float twin of {@link #splitRows}. */
  private void splitRowsFloat(Flat in, Flat[] out, float[] b, int from, int to) {
    int width = 3 * heads * headDim;
    float[] row = new float[width];
    for (int t = from; t < to; t++) {
      in.get(t * width, row, 0, width);
      for (int j = 0; j < width; j++) {
        row[j] += b[j];
      }
      for (int which = 0; which < 3; which++) {
        for (int h = 0; h < heads; h++) {
          out[which].put(headRow(t, h), row, (which * heads + h) * headDim, headDim);
        }
      }
    }
  }

  /** dQ, dK, dV [batch·heads, seq, headDim] → dqkv [batch·seq, 3·hidden]; accumulates the bias gradient. */
  public INDArray backward(INDArray dq, INDArray dk, INDArray dv) {
    if (dqkv == null) {
      dqkv = buffers.gradient((long) batch * seq, 3L * heads * headDim);
    }
    Flat[] in = {Flat.of(dq), Flat.of(dk), Flat.of(dv)};
    Flat out = Flat.of(dqkv);
    double[][] biasSums = new double[Parallel.maxParts()][3 * heads * headDim];
    if (exact) {
      Parallel.rows(batch * seq, 64, (part, from, to) -> mergeRows(in, out, biasSums[part], from, to));
    } else {
      Parallel.rows(batch * seq, 64, (part, from, to) -> mergeRowsFloat(in, out, biasSums[part], from, to));
    }
    for (double[] sums : biasSums) {
      biasGrad.add(0, sums, 0, sums.length);
    }
    return dqkv;
  }

  private void mergeRows(Flat[] in, Flat out, double[] sums, int from, int to) {
    int width = 3 * heads * headDim;
    double[] row = new double[width];
    for (int t = from; t < to; t++) {
      for (int which = 0; which < 3; which++) {
        for (int h = 0; h < heads; h++) {
          in[which].get(headRow(t, h), row, (which * heads + h) * headDim, headDim);
        }
      }
      for (int j = 0; j < width; j++) {
        sums[j] += row[j];
      }
      out.put(t * width, row, 0, width);
    }
  }

  /** The float twin of {@link #mergeRows} (the slice's bias gradient summed in float). */
  private void mergeRowsFloat(Flat[] in, Flat out, double[] sums, int from, int to) {
    int width = 3 * heads * headDim;
    float[] row = new float[width];
    float[] sumsF = new float[width];
    for (int t = from; t < to; t++) {
      for (int which = 0; which < 3; which++) {
        for (int h = 0; h < heads; h++) {
          in[which].get(headRow(t, h), row, (which * heads + h) * headDim, headDim);
        }
      }
      for (int j = 0; j < width; j++) {
        sumsF[j] += row[j];
      }
      out.put(t * width, row, 0, width);
    }
    for (int j = 0; j < width; j++) {
      sums[j] += sumsF[j];
    }
  }

  /** Queries [batch·heads, seq, headDim] of the last forward. */
  public INDArray q() {
    return q;
  }

  /** Keys [batch·heads, seq, headDim]. */
  public INDArray k() {
    return k;
  }

  /** Values [batch·heads, seq, headDim]. */
  public INDArray v() {
    return v;
  }
}
