package dev.jbert.core.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float {@link Gelu#forward(org.nd4j.linalg.api.ndarray.INDArray, org.nd4j.linalg.api.ndarray.INDArray,
 * org.nd4j.linalg.api.ndarray.INDArray)} of a row with the Vector API, the packed GEMM's GELU
 * epilogue ({@link Gelu#epilogue}) and the slope of {@link Gelu#backward}: {@code ½x + ½x·erf(x/√2)}
 * with {@link Functions#erfApprox(float)}'s rational approximation in fused multiply-adds, the same
 * floats as the plain loop of {@link
 * Gelu#forward} (the same operations in the same order), so that a model's answers do not depend on
 * which of the two ran. HotSpot vectorises the plain loop too; what this adds is a cheaper clamp of
 * the argument to [-4, 4]: one integer minimum on the bits of its magnitude, where the vectorised
 * {@code Math.max} and {@code Math.min} follow Java's rules for NaN and −0 with a blend sequence each
 * (the same result for every number; NaN stays NaN through x's factor).
 */
final class VectorGelu {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = S.length();
  private static final float INV_SQRT2 = 0.70710678f;
  private static final float INV_SQRT_2PI = (float) 0.3989422804014327;
  private static final int SIGN = 0x80000000;
  private static final int MAGNITUDE = 0x7fffffff;
  private static final int FOUR = Float.floatToRawIntBits(4f);

  /** How long {@link #warmUpInBackground} waits before it starts. */
  private static final long WARM_UP_DELAY_MILLIS = 500;
  /** The warm-up's longest run. */
  private static final long WARM_UP_LIMIT_NANOS = 5_000_000_000L;
  private static final AtomicBoolean WARM_UP_STARTED = new AtomicBoolean();
  private static volatile boolean warm;

  private VectorGelu() {}

  /**
   * {@code v[offset + j] ← gelu(v[offset + j] + bias[column + j])} in place for j in [0, length): a
   * stretch of one row, whose first element is the row's column {@code column}.
   */
  static void forward(float[] v, int offset, int length, float[] bias, int column) {
    int whole = length / LANES * LANES;
    for (int j = 0; j < whole; j += LANES) {
      FloatVector x = FloatVector.fromArray(S, v, offset + j).add(FloatVector.fromArray(S, bias, column + j));
      FloatVector half = x.mul(0.5f);
      half.fma(erfOfScaled(x), half).intoArray(v, offset + j);             // ½x + ½x·erf(x/√2)
    }
    for (int j = whole; j < length; j++) {                                  // the tail as the plain loop
      float x = v[offset + j] + bias[column + j];
      float half = 0.5f * x;
      v[offset + j] = Math.fma(half, Functions.erfApprox(x * INV_SQRT2), half);
    }
  }

  /**
   * {@code slope[j] ← Φ(x) + x·φ(x)}, GELU's slope at {@code x = v[j] + bias[j]}, for j in [0,
   * length) (training's forward, which keeps it for the backward), as {@link Gelu#forward}'s plain
   * loop computes it: {@code φ} from {@link Functions#expApprox(float)}, the same operations in the
   * same order. A loop of its own: with the slope in {@link #forward}'s loop, HotSpot stopped
   * inlining the vector operations and ran them boxed (bert-base's GELU forward took 3× as long).
   */
  static void slope(float[] v, float[] bias, float[] slope, int length) {
    int whole = length / LANES * LANES;
    for (int j = 0; j < whole; j += LANES) {
      FloatVector x = FloatVector.fromArray(S, v, j).add(FloatVector.fromArray(S, bias, j));
      FloatVector pdf = VectorFunctions.exp(x.mul(-0.5f).mul(x));             // e^(−x²/2)
      erfOfScaled(x).add(1f).mul(0.5f).add(x.mul(INV_SQRT_2PI).mul(pdf)).intoArray(slope, j);
    }
    for (int j = whole; j < length; j++) {                                  // the tail as the plain loop
      float x = v[j] + bias[j];
      float cdf = 0.5f * (1f + Functions.erfApprox(x * INV_SQRT2));
      slope[j] = cdf + x * INV_SQRT_2PI * Functions.expApprox(-0.5f * x * x);
    }
  }

  /** {@code erf(x/√2)} by {@link Functions#erfApprox(float)}'s polynomials, lane by lane. */
  private static FloatVector erfOfScaled(FloatVector x) {
    IntVector bits = (IntVector) x.mul(INV_SQRT2).reinterpretAsInts();
    FloatVector c = bits.and(MAGNITUDE).min(FOUR).or(bits.and(SIGN)).reinterpretAsFloats();  // x/√2 in [-4, 4]
    FloatVector c2 = c.mul(c);
    FloatVector p = c2.fma(Functions.ERF_P0, Functions.ERF_P1);
    p = c2.fma(p, FloatVector.broadcast(S, Functions.ERF_P2));
    p = c2.fma(p, FloatVector.broadcast(S, Functions.ERF_P3));
    p = c2.fma(p, FloatVector.broadcast(S, Functions.ERF_P4));
    p = c2.fma(p, FloatVector.broadcast(S, Functions.ERF_P5));
    p = c2.fma(p, FloatVector.broadcast(S, Functions.ERF_P6));
    FloatVector q = c2.fma(Functions.ERF_Q0, Functions.ERF_Q1);
    q = c2.fma(q, FloatVector.broadcast(S, Functions.ERF_Q2));
    q = c2.fma(q, FloatVector.broadcast(S, Functions.ERF_Q3));
    q = c2.fma(q, FloatVector.broadcast(S, Functions.ERF_Q4));
    return c.mul(p).div(q);
  }

  /**
   * Starts {@link #warmUp} on a daemon thread, once per JVM, after {@link #WARM_UP_DELAY_MILLIS}:
   * the first batch-1 forward asks for it ({@link Gelu#epilogue}). Started at once (there, or after
   * the GEMM's warm-up), it competed with that forward for the two cores and the JIT and made {@code
   * jbert predict}'s first answer 50-90 ms later (StartupCompare, 8 runs alternated: 832 against 782
   * and 842 against 753 ms); a one-shot command has answered before the delay is over, and a
   * service is fused a second after its first batch-1 answer.
   */
  static void warmUpInBackground() {
    if (WARM_UP_STARTED.compareAndSet(false, true)) {
      Thread t = new Thread(() -> {
        try {
          Thread.sleep(WARM_UP_DELAY_MILLIS);
          warmUp();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();                               // never warm: the plain path stays
        }
      }, "jbert-gelu-warm-up");
      t.setDaemon(true);
      t.start();
    }
  }

  /**
   * Runs {@link #forward} until the JIT has compiled it ({@link JitWarmUp}), as {@link
   * VectorGemm#warmUp} does for the GEMM, then says so ({@link #warm()}): boxed, in the interpreter, the GELU of one 13-token MiniLM
   * forward would take about 150 ms. Never warm where it does not compile within {@link
   * #WARM_UP_LIMIT_NANOS} (the JIT off, say).
   */
  static void warmUp() {
    float[] v = new float[4 * LANES];
    float[] bias = new float[4 * LANES];
    // two vectors and a tail; compiled, a call takes well under 2 µs
    warm = JitWarmUp.untilFast(() -> forward(v, LANES, 3 * LANES - 1, bias, 1), 2_000, WARM_UP_LIMIT_NANOS);
  }

  /** Whether {@link #warmUp} has seen {@link #forward} run compiled. */
  static boolean warm() {
    return warm;
  }
}
