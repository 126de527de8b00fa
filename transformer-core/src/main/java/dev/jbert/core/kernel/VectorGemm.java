package dev.jbert.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The packed GEMM's inner kernel, {@code c = a · Wᵀ} over Java arrays with the Vector API: tiles of
 * 8 rows by one panel of {@link PackedWeight} (three vectors wide) held in 24 vector registers, one
 * fused multiply-add per weight vector and row for each k (4 rows in 12 for a last tile of at most 4
 * wanted rows). The rows come packed as well ({@link
 * #packRows}): a tile's 8 values of one k side by side, so that the loop reads them from one index at
 * fixed offsets. Loaded only when {@link PackedWeight#available()} found the {@code
 * jdk.incubator.vector} module.
 *
 * <p>Why a kernel of our own, measured on 2 vCPUs of an AVX-512 Xeon at MiniLM's batch-1 shapes (32
 * rows by 384×1152, 384×384, 384×1536, 1536×384): with one weight hot in cache and one thread,
 * OpenBLAS 0.3.21's {@code cblas_sgemm} runs 70-79 GFLOP/s, a good half of it re-packing the weight,
 * and the first form of this kernel (panels two vectors wide) on the weight packed once 117-135
 * GFLOP/s (a 4-row tile 87-101, a dot-product form on the weight as stored 44-69). With panels three
 * vectors wide, GemmBenchmark (2 threads, the weight in cache, OpenBLAS on its own SkylakeX kernels;
 * 2 vCPUs of an AMD EPYC, Zen 5) gives 93, 36, 125 and 124 µs per 32-row product against OpenBLAS's
 * 198, 66, 243 and 235 (1.8-2.1×), 1.3× at 128 rows, 1.2× at 256, 0.91× at 2048.
 */
final class VectorGemm {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = S.length();
  /**
   * Output columns of one panel: three vectors. Each k then loads 3 weight vectors and 8 row values
   * for 24 multiply-adds, where a panel of two vectors loaded 2 and 8 for 16; MiniLM's 1x32 forward
   * ran 17-24% faster so (docs/performance.md, "The packed batch-1 GEMM").
   */
  static final int PANEL = 3 * LANES;
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
   * Runs the kernel until the JIT has compiled it ({@link JitWarmUp}): products of 8 rows by a 64×8
   * weight until 200 calls in a row each took under 5 µs (compiled, one takes well under a
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
    JitWarmUp.untilFast(() -> {
      multiply(a, 0, k, w, c, 2 * PANEL, 0, TILE_ROWS, TILE_ROWS, 0, 1);
      multiply(a, 0, k, w, c, 2 * PANEL, 0, TILE_ROWS, TILE_ROWS / 2, 1, -1);
    }, 5_000, WARM_UP_LIMIT_NANOS);
  }

  /** The warm-up's longest run (where the JIT is off, say): the first forward passes then run boxed. */
  private static final long WARM_UP_LIMIT_NANOS = 10_000_000_000L;

  /**
   * Lays out {@code rows} rows of x [rows, k] (row-major, rows a multiple of {@link #TILE_ROWS}) as the
   * kernel reads them, from {@code packedOff}: tile by tile, and within a tile k-major, {@code
   * packed[packedOff + t·8k + 8i + j] = x[8t + j, i]}.
   *
   * <p>Why: with the rows as stored, the loop kept eight row indices live besides its own and the
   * weight's, more than x86's general registers; the JIT of JDK 17 spilled them to the stack and to
   * vector registers inside the loop. Packed, one index serves the tile: MiniLM's 1x32 forward ran
   * 5-10% faster on 2 vCPUs of an Intel Xeon, Emerald Rapids (docs/performance.md, "The packed batch-1 GEMM").
   */
  static void packRows(float[] x, int k, int rows, float[] packed, int packedOff) {
    for (int t = 0; t < rows; t += TILE_ROWS) {
      int tile = t * k;
      for (int i = 0; i < k; i++) {
        int to = packedOff + tile + TILE_ROWS * i;
        int from = tile + i;
        for (int j = 0; j < TILE_ROWS; j++) {
          packed[to + j] = x[from + j * k];
        }
      }
    }
  }

  /**
   * {@code c[r, panel·PANEL + j] = Σ_k a[r, k] W[panel·PANEL + j, k]} for rows {@code [rowFrom, rowTo)}
   * (a multiple of {@link #TILE_ROWS} apart); a the rows packed by {@link #packRows} from {@code
   * aOff}, c [rows, ldc] row-major, ldc at least (panel + 1)·PANEL.
   *
   * <p>Only the first {@code liveRows} rows are wanted (the rest pad the last tile): a last tile
   * with at most 4 of them runs {@link #halfTile}, which computes 4 rows.
   *
   * <p>{@code nextPanel} is the panel this thread multiplies next (-1: none): three tiles read a
   * cache line of it per k, so that it comes from the caches when its turn comes. A panel is read
   * from memory (or a shared cache) by the first tile only, the others find it in this core's
   * cache; without the reads ahead that first tile waits for it. In a harness of the 24
   * products of a 1x32 MiniLM forward on two threads (2 vCPUs of an Intel Xeon, Emerald Rapids) the
   * products ran 4-19% faster with them (docs/performance.md, "The packed batch-1 GEMM").
   */
  static void multiply(float[] a, int aOff, int k, PackedWeight w, float[] c, int ldc, int rowFrom, int rowTo,
      int liveRows, int panel, int nextPanel) {
    float[] b = w.panels();
    int bOff = panel * PANEL * k;
    // The next panel is 3k lines (PANEL = 3 lines of 16 floats per k): three tiles read a third
    // each, one line per k. With four tiles or more they are tiles 1-3 (tile 0 is the one that waits
    // for this panel); with fewer every tile reads (two tiles cover two thirds, one a third). The
    // other tiles read their own panel's first lines again, from L1, which costs one load per k.
    int tiles = (rowTo - rowFrom) / TILE_ROWS;
    int firstReader = tiles >= 4 ? 1 : 0;
    for (int r = rowFrom, t = 0; r < rowTo; r += TILE_ROWS, t++) {
      int third = t - firstReader;
      int ahead = nextPanel >= 0 && third >= 0 && third < 3 ? nextPanel * PANEL * k + third * k * LINE : bOff;
      if (rowFrom + liveRows - r <= TILE_ROWS / 2) {
        halfTile(a, aOff + r * k, k, b, bOff, c, r * ldc + panel * PANEL, ldc, ahead);
      } else {
        tile(a, aOff + r * k, k, b, bOff, c, r * ldc + panel * PANEL, ldc, ahead);
      }
    }
  }

  /** Floats in a 64-byte cache line. */
  private static final int LINE = 16;

  /** Written (almost) never: the reads ahead must be used, or the JIT drops them. */
  @SuppressWarnings("unused")
  private static float aheadSink;

  /**
   * One packed tile of a from {@code aOff} (8 rows, k-major) times one panel from {@code bOff} → c
   * from {@code cOff} (stride ldc), reading {@code b[ahead + 16·i]} for each k = i as it goes (see
   * {@link #multiply}). Written out row by row on purpose: twenty-four named accumulators
   * stay in registers (with the three weight vectors and the broadcast row value, 28 of AVX-512's 32),
   * an array of vectors would not.
   */
  private static void tile(float[] a, int aOff, int k, float[] b, int bOff, float[] c, int cOff, int ldc,
      int ahead) {
    float read = 0;
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c12 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c22 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    FloatVector c32 = c00;
    FloatVector c40 = c00;
    FloatVector c41 = c00;
    FloatVector c42 = c00;
    FloatVector c50 = c00;
    FloatVector c51 = c00;
    FloatVector c52 = c00;
    FloatVector c60 = c00;
    FloatVector c61 = c00;
    FloatVector c62 = c00;
    FloatVector c70 = c00;
    FloatVector c71 = c00;
    FloatVector c72 = c00;
    for (int i = 0; i < k; i++, bOff += PANEL) {
      FloatVector b0 = FloatVector.fromArray(S, b, bOff);              // W[panel columns 0..LANES), k = i]
      FloatVector b1 = FloatVector.fromArray(S, b, bOff + LANES);      // W[columns LANES..2·LANES), k = i]
      FloatVector b2 = FloatVector.fromArray(S, b, bOff + 2 * LANES);  // W[columns 2·LANES..PANEL), k = i]
      int ai = aOff + TILE_ROWS * i;                                  // a[row j, i] at ai + j
      read += b[ahead + LINE * i];
      FloatVector x = FloatVector.broadcast(S, a[ai]);                // a[row 0, i], then rows 1..7
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      x = FloatVector.broadcast(S, a[ai + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
      x = FloatVector.broadcast(S, a[ai + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      c22 = x.fma(b2, c22);
      x = FloatVector.broadcast(S, a[ai + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      c32 = x.fma(b2, c32);
      x = FloatVector.broadcast(S, a[ai + 4]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      c42 = x.fma(b2, c42);
      x = FloatVector.broadcast(S, a[ai + 5]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      c52 = x.fma(b2, c52);
      x = FloatVector.broadcast(S, a[ai + 6]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      c62 = x.fma(b2, c62);
      x = FloatVector.broadcast(S, a[ai + 7]);
      c70 = x.fma(b0, c70);
      c71 = x.fma(b1, c71);
      c72 = x.fma(b2, c72);
    }
    if (read == Float.MIN_VALUE) {
      aheadSink = read;
    }
    c00.intoArray(c, cOff);
    c01.intoArray(c, cOff + LANES);
    c02.intoArray(c, cOff + 2 * LANES);
    c10.intoArray(c, cOff += ldc);
    c11.intoArray(c, cOff + LANES);
    c12.intoArray(c, cOff + 2 * LANES);
    c20.intoArray(c, cOff += ldc);
    c21.intoArray(c, cOff + LANES);
    c22.intoArray(c, cOff + 2 * LANES);
    c30.intoArray(c, cOff += ldc);
    c31.intoArray(c, cOff + LANES);
    c32.intoArray(c, cOff + 2 * LANES);
    c40.intoArray(c, cOff += ldc);
    c41.intoArray(c, cOff + LANES);
    c42.intoArray(c, cOff + 2 * LANES);
    c50.intoArray(c, cOff += ldc);
    c51.intoArray(c, cOff + LANES);
    c52.intoArray(c, cOff + 2 * LANES);
    c60.intoArray(c, cOff += ldc);
    c61.intoArray(c, cOff + LANES);
    c62.intoArray(c, cOff + 2 * LANES);
    c70.intoArray(c, cOff += ldc);
    c71.intoArray(c, cOff + LANES);
    c72.intoArray(c, cOff + 2 * LANES);
  }

  /**
   * {@link #tile} for the first 4 rows of a tile only (the tile's 8-wide packing, its last 4 values
   * of each k not read): a last tile of at most 4 wanted rows, whose other 4 would be padding.
   */
  private static void halfTile(float[] a, int aOff, int k, float[] b, int bOff, float[] c, int cOff, int ldc,
      int ahead) {
    float read = 0;
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c12 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c22 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    FloatVector c32 = c00;
    for (int i = 0; i < k; i++, bOff += PANEL) {
      FloatVector b0 = FloatVector.fromArray(S, b, bOff);
      FloatVector b1 = FloatVector.fromArray(S, b, bOff + LANES);
      FloatVector b2 = FloatVector.fromArray(S, b, bOff + 2 * LANES);
      int ai = aOff + TILE_ROWS * i;
      read += b[ahead + LINE * i];
      FloatVector x = FloatVector.broadcast(S, a[ai]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      x = FloatVector.broadcast(S, a[ai + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
      x = FloatVector.broadcast(S, a[ai + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      c22 = x.fma(b2, c22);
      x = FloatVector.broadcast(S, a[ai + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      c32 = x.fma(b2, c32);
    }
    if (read == Float.MIN_VALUE) {
      aheadSink = read;
    }
    c00.intoArray(c, cOff);
    c01.intoArray(c, cOff + LANES);
    c02.intoArray(c, cOff + 2 * LANES);
    c10.intoArray(c, cOff += ldc);
    c11.intoArray(c, cOff + LANES);
    c12.intoArray(c, cOff + 2 * LANES);
    c20.intoArray(c, cOff += ldc);
    c21.intoArray(c, cOff + LANES);
    c22.intoArray(c, cOff + 2 * LANES);
    c30.intoArray(c, cOff += ldc);
    c31.intoArray(c, cOff + LANES);
    c32.intoArray(c, cOff + 2 * LANES);
  }
}
