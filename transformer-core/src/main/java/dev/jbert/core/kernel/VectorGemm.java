package dev.jbert.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The packed GEMM's inner kernel, {@code c = a · Wᵀ} over Java arrays with the Vector API: tiles of
 * 8 rows by one panel of {@link PackedWeight} (two vectors wide) held in 16 vector registers, one
 * fused multiply-add per weight vector and row for each k. Loaded only when {@link
 * PackedWeight#available()} found the {@code jdk.incubator.vector} module.
 *
 * <p>Why a kernel of our own, measured on 2 vCPUs of an AVX-512 Xeon at MiniLM's batch-1 shapes (32
 * rows by 384×1152, 384×384, 384×1536, 1536×384): with one weight hot in cache and one thread,
 * OpenBLAS 0.3.21's {@code cblas_sgemm} runs 70-79 GFLOP/s, a good half of it re-packing the weight,
 * and this kernel on the weight packed once 117-135 GFLOP/s (a 4-row tile 87-101, a dot-product form
 * on the weight as stored 44-69). Over the 24 distinct weights of a forward pass (cold in cache, as
 * in a model) on 2 threads: 5.7-5.9 ms in OpenBLAS, 4.6-5.2 ms packed. GemmBenchmark (2 threads,
 * the weight in cache) has the per-product figures: 1.19-1.44× OpenBLAS's speed at 32 rows, 0.93× at
 * 128, 0.65× at 2048.
 */
final class VectorGemm {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = S.length();
  /** Output columns of one panel: two vectors. */
  static final int PANEL = 2 * LANES;
  /** Rows of one tile; the caller pads its rows to a multiple of this. */
  static final int TILE_ROWS = 8;

  private VectorGemm() {}

  /**
   * Whether the preferred vectors hold 16 floats. With 8 (AVX2, 16 vector registers for 16
   * accumulators and the operands) the kernel lost to OpenBLAS's Haswell kernel at MiniLM's 32-row
   * products (GemmBenchmark on the AVX-512 machine with {@code -XX:UseAVX=2} and
   * {@code OPENBLAS_CORETYPE=Haswell}: 0.82-0.96× of its speed).
   */
  static boolean wideEnough() {
    return LANES >= 16;
  }

  /**
   * Runs the kernel until the JIT has compiled it: products of 8 rows by a 64×8 weight until
   * {@link #WARM_CALLS} calls in a row each took under 5 µs (compiled, one takes well under a
   * microsecond; with its vectors boxed, in the interpreter or C1, tens of microseconds), for at most
   * {@link #WARM_UP_LIMIT_NANOS}. The products are short because the JIT counts calls and loop
   * iterations, not work: 4,000 products over an inner dimension of 256 took 690-750 ms of one core
   * before the kernel ran compiled, these 346-446 ms (fresh JVMs on the project machine).
   */
  static void warmUp() {
    int k = 8;
    float[] a = new float[TILE_ROWS * k];
    PackedWeight w = PackedWeight.of(Nd4j.rand(DataType.FLOAT, 2 * PANEL, k));
    float[] c = new float[TILE_ROWS * 2 * PANEL];
    long start = System.nanoTime();
    for (int fastInARow = 0; fastInARow < WARM_CALLS && System.nanoTime() - start < WARM_UP_LIMIT_NANOS; ) {
      long t = System.nanoTime();
      multiply(a, k, w, c, 2 * PANEL, 0, TILE_ROWS, 0, 2);
      fastInARow = System.nanoTime() - t < 5_000 ? fastInARow + 1 : 0;
    }
  }

  /** Fast calls in a row that end the warm-up. */
  private static final int WARM_CALLS = 200;
  /** The warm-up's longest run (where the JIT is off, say): the first forward passes then run boxed. */
  private static final long WARM_UP_LIMIT_NANOS = 10_000_000_000L;

  /**
   * {@code c[r, p·PANEL + j] = Σ_k a[r, k] W[p·PANEL + j, k]} for rows {@code [rowFrom, rowTo)} (a
   * multiple of {@link #TILE_ROWS} apart) and panels {@code [panelFrom, panelTo)}; a [rows, k], c
   * [rows, ldc] row-major, ldc at least panelTo·PANEL.
   */
  static void multiply(float[] a, int k, PackedWeight w, float[] c, int ldc, int rowFrom, int rowTo, int panelFrom,
      int panelTo) {
    float[] b = w.panels();
    for (int p = panelFrom; p < panelTo; p++) {
      for (int r = rowFrom; r < rowTo; r += TILE_ROWS) {
        tile(a, r * k, k, b, p * PANEL * k, c, r * ldc + p * PANEL, ldc);
      }
    }
  }

  /**
   * Eight rows of a from {@code aOff} (stride k) times one panel from {@code bOff} → c from {@code cOff}
   * (stride ldc). Written out row by row on purpose: sixteen named accumulators stay in registers,
   * an array of vectors would not.
   */
  private static void tile(float[] a, int aOff, int k, float[] b, int bOff, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    FloatVector c40 = c00;
    FloatVector c41 = c00;
    FloatVector c50 = c00;
    FloatVector c51 = c00;
    FloatVector c60 = c00;
    FloatVector c61 = c00;
    FloatVector c70 = c00;
    FloatVector c71 = c00;
    for (int i = 0; i < k; i++, bOff += PANEL) {
      FloatVector b0 = FloatVector.fromArray(S, b, bOff);          // W[panel columns 0..LANES), k = i]
      FloatVector b1 = FloatVector.fromArray(S, b, bOff + LANES);  // W[panel columns LANES..PANEL), k = i]
      int ai = aOff + i;
      FloatVector x = FloatVector.broadcast(S, a[ai]);            // a[row 0, i], then rows 1..7
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[ai += k]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[ai += k]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[ai += k]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, a[ai += k]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, a[ai += k]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      x = FloatVector.broadcast(S, a[ai += k]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      x = FloatVector.broadcast(S, a[ai + k]);
      c70 = x.fma(b0, c70);
      c71 = x.fma(b1, c71);
    }
    c00.intoArray(c, cOff);
    c01.intoArray(c, cOff + LANES);
    c10.intoArray(c, cOff += ldc);
    c11.intoArray(c, cOff + LANES);
    c20.intoArray(c, cOff += ldc);
    c21.intoArray(c, cOff + LANES);
    c30.intoArray(c, cOff += ldc);
    c31.intoArray(c, cOff + LANES);
    c40.intoArray(c, cOff += ldc);
    c41.intoArray(c, cOff + LANES);
    c50.intoArray(c, cOff += ldc);
    c51.intoArray(c, cOff + LANES);
    c60.intoArray(c, cOff += ldc);
    c61.intoArray(c, cOff + LANES);
    c70.intoArray(c, cOff += ldc);
    c71.intoArray(c, cOff + LANES);
  }
}
