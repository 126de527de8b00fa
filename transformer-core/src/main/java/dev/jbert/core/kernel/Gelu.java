package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The exact GELU of BERT's {@code hidden_act: "gelu"}: {@code 0.5 x (1 + erf(x/√2)) = x Φ(x)},
 * slope {@code Φ(x) + x φ(x)}.
 *
 * <p>ND4J's GELU ops are approximations (x·σ(1.702x) and a tanh form) and miss the references, so
 * erf is computed here: for FLOAT by a float-accurate rational approximation ({@link Functions}),
 * for the double reference to double precision. Measured at [2048, 1536] float, min of 20 on the
 * shared 2-core machine (KernelTiming): forward 3.1 ms (a double kernel on float data took 4.9)
 * against 30.6 ms for the ND4J chain mul, erf, add, mul, mul; backward 5.4 ms against 37.2 ms.
 *
 * <p>The backward computes the slope again from the forward's input ({@link #backward}) instead of
 * keeping one written by the forward: the forward then writes one [rows, width] array instead of
 * two and the backward reads as many as before (the slope's array then, the input's now), one
 * [rows, width] buffer a layer less (bert-base at 32×64: 25 MB a layer). In a CPU profile of
 * bert-base's 32×64 training step on 2 vCPUs of an Emerald Rapids Xeon, forward and backward took
 * 119 ms of the step against 123 ms when the forward wrote the slope (the backward was then ND4J's
 * multiply, on one thread), and the step's peak RSS was 3,803 MB against 4,101 MB.
 *
 * <p>{@link #forward(INDArray, INDArray, INDArray)} and the backward run {@link VectorGelu}'s rows
 * where the Vector API has 16-float vectors (the forward from {@link #VECTOR_MIN_ROWS} rows): the
 * same floats as the plain loop, so results do not depend on which ran (MiniLM's inference forward
 * 3-4% faster: a harness alternating the two in one JVM, medians of 30 blocks, 2 vCPUs of an AVX-512
 * EPYC: 32×64 178.1 → 172.2 and 182.6 → 175.6 ms, 16×128 195.0 → 190.4 and 202.7 → 195.1 ms).
 */
public final class Gelu {

  private static final double INV_SQRT2 = 0.7071067811865476;
  private static final double INV_SQRT_2PI = 0.3989422804014327;

  /**
   * Fewer rows than this take the plain loop in {@link #forward(INDArray, INDArray, INDArray)}: at
   * batch 1 GELU is a few percent of a forward, and the vector rows run boxed and slow until the JIT
   * compiles them, which made {@code jbert predict}'s first answer 170 ms later (StartupCompare, 12
   * runs alternated: 1,802 against 1,636 ms).
   */
  public static final int VECTOR_MIN_ROWS = 256;

  private Gelu() {}

  /**
   * {@code out = gelu(inp + bias)} and/or its slope, whichever is not null, by the plain loops; all
   * [rows, width], bias [width] or null; out may be inp.
   */
  public static void forward(INDArray out, INDArray slope, INDArray inp, INDArray bias) {
    int rows = (int) inp.size(0);
    int width = (int) inp.size(1);
    Flat in = Flat.of(inp);
    Flat o = Flat.ofNullable(out);
    Flat s = Flat.ofNullable(slope);
    if (Flat.isDouble(inp)) {
      forwardReference(o, s, in, Activation.biasDoubles(bias, width));
      return;
    }
    float[] b = Activation.biasFloats(bias, width);
    Parallel.rows(rows, 16, (part, from, to) -> {
      float[] v = new float[width];
      float[] erf = new float[width];
      float[] d = s == null ? null : new float[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        plainRow(v, b, erf, d, width);
        if (s != null) {
          s.put(row * width, d, 0, width);
        }
        if (o != null) {
          for (int j = 0; j < width; j++) {
            float half = 0.5f * v[j];
            v[j] = Math.fma(half, erf[j], half);                        // ½x + ½x·erf(x/√2)
          }
          o.put(row * width, v, 0, width);
        }
      }
    });
  }

  /**
   * The plain loops' steps of one row: {@code v ← x = v + bias}, {@code erf ← erf(x/√2)} and, if
   * slope is not null, {@code slope ← Φ(x) + x·φ(x)}.
   */
  private static void plainRow(float[] v, float[] bias, float[] erf, float[] slope, int width) {
    for (int j = 0; j < width; j++) {
      v[j] += bias[j];
      erf[j] = v[j] * (float) INV_SQRT2;
    }
    Functions.erf(erf, 0, width);                                       // erf(x/√2)
    if (slope != null) {
      for (int j = 0; j < width; j++) {
        slope[j] = -0.5f * v[j] * v[j];
      }
      Functions.expNonPositive(slope, 0, width);                        // e^(−x²/2)
      for (int j = 0; j < width; j++) {
        slope[j] = 0.5f * (1f + erf[j]) + v[j] * (float) INV_SQRT_2PI * slope[j];
      }
    }
  }

  /**
   * {@code out = gelu(inp + bias)} (out may be inp), in float with {@link VectorGelu} where the
   * Vector API has 16-float vectors and there are at least {@link #VECTOR_MIN_ROWS} rows (the same
   * floats as the plain loop), otherwise as {@link #forward(INDArray, INDArray, INDArray, INDArray)}.
   */
  public static void forward(INDArray out, INDArray inp, INDArray bias) {
    int rows = (int) inp.size(0);
    if (Flat.isDouble(inp) || !PackedWeight.wideVectors() || rows < VECTOR_MIN_ROWS) {
      forward(out, null, inp, bias);
      return;
    }
    int width = (int) inp.size(1);
    Flat in = Flat.of(inp);
    Flat o = Flat.of(out);
    float[] b = Activation.biasFloats(bias, width);
    Parallel.rows(rows, 16, (part, from, to) -> {
      float[] v = new float[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        VectorGelu.forward(v, 0, width, b, 0);
        o.put(row * width, v, 0, width);
      }
    });
  }

  /**
   * {@code gelu(y + bias)} as the epilogue of the packed GEMM (inference, FLOAT, where the Vector API
   * has 16-float vectors: wherever that kernel runs), by {@link VectorGelu}; bias [width] or null.
   * Null until VectorGelu runs compiled (the first call starts {@link
   * VectorGelu#warmUpInBackground}; nothing waits for it): meanwhile the caller runs {@link
   * #forward(INDArray, INDArray, INDArray)} after the product, which gives the same floats.
   */
  static Epilogue epilogue(INDArray bias, int width) {
    if (!VectorGelu.warm()) {
      VectorGelu.warmUpInBackground();
      return null;
    }
    float[] b = Activation.biasFloats(bias, width);
    return (row, offset, length, column) -> VectorGelu.forward(row, offset, length, b, column);
  }

  /**
   * {@code dinp = dout ⊙ gelu'(inp + bias)}, the slope computed again from the forward's input (as
   * the forward's plain loop computes it, or {@link VectorGelu#slope}: the same floats); dinp may
   * be dout. All [rows, width], bias [width] or null.
   */
  public static void backward(INDArray dinp, INDArray dout, INDArray inp, INDArray bias) {
    int rows = (int) inp.size(0);
    int width = (int) inp.size(1);
    if (Flat.isDouble(inp)) {
      Activation.multiplyBySlope(dinp, dout, slope -> forward(null, slope, inp, bias));
      return;
    }
    Flat in = Flat.of(inp);
    Flat dOut = Flat.of(dout);
    Flat dIn = Flat.of(dinp);
    float[] b = Activation.biasFloats(bias, width);
    boolean vector = PackedWeight.wideVectors();
    Parallel.rows(rows, 16, (part, from, to) -> {
      float[] v = new float[width];
      float[] slope = new float[width];
      float[] erf = vector ? null : new float[width];
      float[] d = new float[width];
      for (int row = from; row < to; row++) {
        in.get(row * width, v, 0, width);
        if (vector) {
          VectorGelu.slope(v, b, slope, width);
        } else {
          plainRow(v, b, erf, slope, width);
        }
        dOut.get(row * width, d, 0, width);
        for (int j = 0; j < width; j++) {
          d[j] *= slope[j];
        }
        dIn.put(row * width, d, 0, width);
      }
    });
  }

  /** {@link #forward} in double precision: exact erf and exp. */
  private static void forwardReference(Flat out, Flat slope, Flat in, double[] bias) {
    double[] x = in.toArray();
    for (int i = 0; i < x.length; i++) {
      x[i] += bias[i % bias.length];
    }
    double[] y = new double[x.length];
    double[] s = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double cdf = 0.5 * (1.0 + Functions.erf(x[i] * INV_SQRT2));
      y[i] = x[i] * cdf;
      s[i] = cdf + x[i] * INV_SQRT_2PI * Math.exp(-0.5 * x[i] * x[i]);
    }
    if (out != null) {
      out.put(0, y, 0, y.length);
    }
    if (slope != null) {
      slope.put(0, s, 0, s.length);
    }
  }
}
