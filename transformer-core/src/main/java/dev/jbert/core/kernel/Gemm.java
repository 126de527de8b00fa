package dev.jbert.core.kernel;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Matrix products into preallocated arrays ({@code c = op(a) op(b) + beta c}, transpose flags
 * instead of copies), and the batched products of attention heads.
 *
 * <p>On the CPU backend every product is a direct {@code cblas_sgemm}/{@code cblas_dgemm} call on
 * the arrays' memory, and OpenBLAS (or MKL in its place, {@link dev.jbert.core.backend.BlasLibrary}) runs
 * single-threaded ({@link dev.jbert.core.backend.Backend#init()}):
 * the threads are {@link Parallel}'s, which cut a product into one block of rows (or, for a short
 * M, of columns) per thread. Why, measured on the shared 2-core machine: ND4J's {@code gemm}
 * dispatch costs more than the product at batch 1 (32×384 by 384×384: 341 µs through ND4J, 181 µs
 * direct); OpenBLAS's own two threads made the small products of batch-1 inference slower than one
 * thread (13×384 by 384×1536: 749–1372 µs with its 2 threads, 644–932 µs with 1, 504–941 µs cut in
 * two here), while at 2048 rows the split matched its own threading (27–28 ms vs 34–38 ms for
 * 2048×384 by 384×1152, 45–50 vs 43–44 ms for 2048×1536 by 1536×384; load average 5–9). One pool
 * for GEMMs and kernels also means no OpenBLAS workers spinning against the kernels between GEMMs.
 * Where OpenBLAS is absent (another ND4J backend) the products go through ND4J.
 */
public final class Gemm {

  /** Below this many FLOPs (about 50 µs of one core) a thread hand-off costs more than it saves. */
  private static final long SPLIT_FLOPS = 4_000_000;

  /** Whether OpenBLAS's CBLAS interface is loaded (the CPU backend). */
  private static final boolean DIRECT = loadBlas();

  private Gemm() {}

  /** {@code c = op(a) · op(b) + beta · c} for matrices; beta 0 overwrites c, 1 accumulates. */
  public static void matmul(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double beta) {
    if (!direct(a, b, c)) {
      Nd4j.gemm(a, b, c, transA, transB, 1.0, beta);
      return;
    }
    int m = (int) c.size(0);
    int n = (int) c.size(1);
    int k = (int) (transA ? a.size(0) : a.size(1));
    int threads = Parallel.threads();
    if (threads == 1 || 2L * m * n * k < SPLIT_FLOPS) {
      new Operands(a, b, c, transA, transB).gemm(0, 0, 0, m, n, k, beta);
      return;
    }
    boolean byRows = m >= n;                                   // cut the longer side: big blocks, one each
    Parallel.rows(threads, 1, (part, from, to) -> {
      Operands operands = new Operands(a, b, c, transA, transB);
      for (int p = from; p < to; p++) {
        int lo = (int) ((long) (byRows ? m : n) * p / threads);
        int hi = (int) ((long) (byRows ? m : n) * (p + 1) / threads);
        if (byRows) {                                          // rows [lo, hi) of op(a) and c
          operands.gemm(transA ? lo : (long) lo * k, 0, (long) lo * n, hi - lo, n, k, beta);
        } else {                                               // columns [lo, hi) of op(b) and c
          operands.gemm(0, transB ? (long) lo * k : lo, lo, m, hi - lo, k, beta);
        }
      }
    });
  }

  /**
   * {@code c = a · Wᵀ} with W packed once ({@link PackedWeight}): a [rows, in]
   * and c [rows, out], FLOAT, contiguous. Each kernel thread copies the rows into a Java array padded
   * to whole tiles of the kernel and laid out for it, multiplies them by the panels of W it takes
   * ({@link PanelShares}), and copies its columns of the result into c.
   */
  public static void matmul(INDArray a, PackedWeight w, INDArray c) {
    matmul(a, w, c, null);
  }

  /**
   * {@code c = f(a · Wᵀ)}: {@link #matmul(INDArray, PackedWeight, INDArray)} with {@code epilogue}
   * (f, null for none) applied by each thread to its columns while they are in its cache, before it
   * copies them into c: one pass over c and one hand-off between the threads fewer. MiniLM's 1×32
   * forward with its GELU so: 2.53–2.59 ms against 2.64–2.72 with GELU as a pass of its own, 1×13
   * 1.59–1.63 against 1.69–1.76 ms (docs/performance.md, "The packed batch-1 GEMM").
   */
  public static void matmul(INDArray a, PackedWeight w, INDArray c, Epilogue epilogue) {
    int rows = (int) c.size(0);
    int k = w.in();
    if (a.dataType() != DataType.FLOAT || c.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("the packed GEMM is FLOAT only, got a " + a.dataType() + ", c " + c.dataType());
    }
    w.requireShapes(a, c);
    int threads = 2L * rows * w.panelCount() * VectorGemm.PANEL * k < SPLIT_FLOPS ? 1 : Parallel.threads();
    // slice t is thread t's share, whichever thread runs it; one slice runs on the caller
    Parallel.rows(threads, 1, packedProduct(a, w, c, epilogue, threads));
  }

  /**
   * {@code c = a · Wᵀ} with W packed once by MKL ({@link MklPackedWeight}): a [rows, in] and c [rows,
   * out], FLOAT, contiguous. Each kernel thread multiplies by its block of W's rows (of c's columns).
   */
  public static void matmul(INDArray a, MklPackedWeight w, INDArray c) {
    int rows = (int) c.size(0);
    if (a.dataType() != DataType.FLOAT || c.dataType() != DataType.FLOAT || !Flat.isContiguous(a)
        || !Flat.isContiguous(c)) {
      throw new IllegalArgumentException("the packed GEMM takes contiguous FLOAT arrays, got a " + a.dataType() + ", c "
          + c.dataType());
    }
    w.requireShapes(a, c);
    FloatPointer pa = floats(a, 0);
    FloatPointer pc = floats(c, 0);
    Parallel.Body blocks = (part, from, to) -> {
      for (int b = from; b < to; b++) {
        w.multiply(b, pa, pc, rows);
      }
    };
    if (2L * rows * w.out() * w.in() < SPLIT_FLOPS) {
      blocks.run(0, 0, w.blocks());
    } else {
      Parallel.rows(w.blocks(), 1, blocks);
    }
    Reference.reachabilityFence(a);                            // pa and pc do not hold their arrays' memory
    Reference.reachabilityFence(c);
  }

  /**
   * The work of {@link #matmul(INDArray, PackedWeight, INDArray, Epilogue)} cut for {@code threads}
   * threads: slice t ({@code part} t of the body) takes panels as thread t. Run every slice, in any
   * order and on any threads, and c holds the product (with the epilogue applied).
   */
  static Parallel.Body packedProduct(INDArray a, PackedWeight w, INDArray c, Epilogue epilogue, int threads) {
    PanelShares[] shares = new PanelShares[(int) ((c.size(0) + PACKED_ROW_BLOCK - 1) / PACKED_ROW_BLOCK)];
    for (int i = 0; i < shares.length; i++) {
      shares[i] = new PanelShares(w.panelCount(), threads);
    }
    return packedProduct(a, w, c, epilogue, shares);
  }

  /**
   * {@link #packedProduct(INDArray, PackedWeight, INDArray, Epilogue, int)} with the panels of each
   * block of rows shared out by {@code shares} (one per block of {@link #PACKED_ROW_BLOCK} rows).
   */
  static Parallel.Body packedProduct(INDArray a, PackedWeight w, INDArray c, Epilogue epilogue,
      PanelShares[] shares) {
    int rows = (int) c.size(0);
    int k = w.in();
    int n = w.out();
    int ldc = w.panelCount() * VectorGemm.PANEL;
    int blocks = shares.length;
    Flat in = Flat.of(a);
    Flat out = Flat.of(c);
    int tileCount = (rows + VectorGemm.TILE_ROWS - 1) / VectorGemm.TILE_ROWS;
    // The rows, laid out for the kernel once for all threads (the caller's scratch; the slices end
    // before the caller's next product): each thread that takes a panel of a block packs the block's
    // tiles that nobody has claimed yet, then waits for the ones the other thread is packing.
    float[] tiles = Flat.scratch(PACKED_TILES, tileCount * VectorGemm.TILE_ROWS * k);
    AtomicInteger[] claimed = new AtomicInteger[blocks];
    AtomicInteger[] packed = new AtomicInteger[blocks];
    for (int b = 0; b < blocks; b++) {
      claimed[b] = new AtomicInteger();
      packed[b] = new AtomicInteger();
    }
    // Threads take panels of W, never rows: they read each panel once per block of rows, for all of
    // the block's rows (a cut by rows had both threads stream the whole weight). Each copies its own
    // columns out: the copies are traffic between the cores (the rows were written by both threads'
    // previous kernel, the columns are read by both in the next); done by the caller alone they ran
    // with the other thread idle, 0.3-0.5 ms of a 1x32 MiniLM forward (docs/performance.md, "The packed batch-1 GEMM").
    return (thread, from, to) -> {
      for (int block = 0; block < blocks; block++) {
        int r0 = block * PACKED_ROW_BLOCK;
        int blockRows = Math.min(PACKED_ROW_BLOCK, rows - r0);
        int padded = (blockRows + VectorGemm.TILE_ROWS - 1) / VectorGemm.TILE_ROWS * VectorGemm.TILE_ROWS;
        float[] y = null;
        int runFirst = 0;                                        // the panels [runFirst, runEnd) are done
        int runEnd = 0;                                          // and not yet copied out
        // Each panel is taken one ahead, so that the kernel reads it into the caches beforehand.
        for (int p = shares[block].next(thread), next; p >= 0; p = next) {
          next = shares[block].next(thread);
          if (y == null) {                                       // the first panel: the rows in
            packTiles(in, r0, blockRows, k, tiles, claimed[block], packed[block]);
            y = Flat.scratch(PACKED_OUT, padded * ldc);
            runFirst = runEnd = p;
          } else if (p != runEnd && p != runFirst - 1) {         // not next to the run: the run out
            copyColumns(y, ldc, out, r0, blockRows, n, runFirst, runEnd, epilogue);
            runFirst = runEnd = p;
          }
          runFirst = Math.min(runFirst, p);
          runEnd = Math.max(runEnd, p + 1);
          VectorGemm.multiply(tiles, r0 * k, k, w, y, ldc, 0, padded, blockRows, p, next);
        }
        if (y != null) {
          copyColumns(y, ldc, out, r0, blockRows, n, runFirst, runEnd, epilogue);
        }
      }
    };
  }

  /**
   * Packs the tiles of the block of {@code blockRows} rows from row {@code r0} that no thread has
   * claimed yet into {@code tiles} (the block's from {@code r0·k}), then waits until every tile of
   * the block is packed. A thread waits only for tiles another running thread claimed and is packing;
   * a tile whose packing fails still counts as packed, so that the other thread ends and {@link
   * Parallel#rows} reports the failure instead of both waiting for ever.
   */
  private static void packTiles(Flat in, int r0, int blockRows, int k, float[] tiles, AtomicInteger claimed,
      AtomicInteger packed) {
    int rowsPerTile = VectorGemm.TILE_ROWS;
    int count = (blockRows + rowsPerTile - 1) / rowsPerTile;
    float[] x = Flat.scratch(PACKED_IN, rowsPerTile * k);
    for (int t = claimed.getAndIncrement(); t < count; t = claimed.getAndIncrement()) {
      try {
        int live = Math.min(rowsPerTile, blockRows - t * rowsPerTile);
        in.get((r0 + t * rowsPerTile) * k, x, 0, live * k);
        Arrays.fill(x, live * k, rowsPerTile * k, 0f);           // padding rows: computed, then dropped
        VectorGemm.packRows(x, k, rowsPerTile, tiles, (r0 + t * rowsPerTile) * k);
      } finally {
        packed.incrementAndGet();
      }
    }
    while (packed.get() < count) {
      Thread.onSpinWait();
    }
  }

  /**
   * Copies the columns of panels {@code [first, end)} of y's rows into c's rows from {@code r0},
   * applying {@code epilogue} (if not null) to each row's stretch first.
   */
  private static void copyColumns(float[] y, int ldc, Flat c, int r0, int rows, int n, int first, int end,
      Epilogue epilogue) {
    int c0 = first * VectorGemm.PANEL;
    int c1 = Math.min(n, end * VectorGemm.PANEL);               // the last panel's padding dropped
    for (int r = 0; r < rows; r++) {
      if (epilogue != null) {
        epilogue.apply(y, r * ldc + c0, c1 - c0, c0);
      }
      c.put((r0 + r) * n + c0, y, r * ldc + c0, c1 - c0);
    }
  }

  /**
   * Rows the packed GEMM multiplies at a time, so that its scratch arrays stay small and a block's
   * rows stay in a core's L2 while the panels stream past them (MiniLM's forward at 32×64 through
   * the packed path: 167 ms in blocks of 64, 128 or 256 rows, 181 ms with all 2048 rows at once).
   */
  private static final int PACKED_ROW_BLOCK = 128;

  /** A thread's Java arrays for the packed GEMM's rows in and out ({@link Flat#scratch}). */
  private static final ThreadLocal<float[]> PACKED_IN = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> PACKED_OUT = ThreadLocal.withInitial(() -> new float[0]);
  /** The caller's rows laid out for the kernel ({@code VectorGemm.packRows}), filled by every thread. */
  private static final ThreadLocal<float[]> PACKED_TILES = ThreadLocal.withInitial(() -> new float[0]);

  /** {@code c[i] = op(a[i]) · op(b[i])} per leading index; a, b, c rank 3, contiguous, c preallocated. */
  public static void batched(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
    batched((int) c.size(0), Block.of(a), Block.of(b), Block.of(c), transA, transB);
  }

  /**
   * Blocks of a 2-D array, one per product of a batch: block i is the [rows, cols] sub-matrix whose
   * first element is at ({@code firstRow(i)}, {@code firstColumn(i)}), read with the array's row
   * length as its leading dimension. Attention's heads are such blocks of the [tokens, 3·hidden]
   * projection and of the [tokens, hidden] context: the products read and write them in place.
   */
  public record Block(INDArray matrix, int rows, int cols, IntUnaryOperator firstRow, IntUnaryOperator firstColumn) {

    /** The matrices of a contiguous rank-3 array [count, rows, cols], one block each. */
    static Block of(INDArray a) {
      int rows = (int) a.size(1);
      int cols = (int) a.size(2);
      return new Block(a.reshape(a.size(0) * rows, cols), rows, cols, i -> i * rows, i -> 0);
    }

    /** The element offset of block i's first element, rows {@code ld} elements long. */
    private long offset(int i, int ld) {
      return (long) firstRow.applyAsInt(i) * ld + firstColumn.applyAsInt(i);
    }

    private INDArray view(int i) {
      int r = firstRow.applyAsInt(i);
      int c = firstColumn.applyAsInt(i);
      return matrix.get(NDArrayIndex.interval(r, r + rows), NDArrayIndex.interval(c, c + cols));
    }
  }

  /**
   * {@code c_i = op(a_i) · op(b_i)} for i in [0, count): the products of {@link Block}s, c's blocks
   * overwritten (beta 0); the batch is cut over the kernel threads when it is large enough.
   */
  public static void batched(int count, Block a, Block b, Block c, boolean transA, boolean transB) {
    int m = c.rows();
    int n = c.cols();
    int k = transA ? a.rows() : a.cols();
    if ((transA ? a.cols() : a.rows()) != m || (transB ? b.cols() : b.rows()) != k
        || (transB ? b.rows() : b.cols()) != n) {
      throw new IllegalArgumentException("batched GEMM: op(a) " + m + "x" + k + " from a " + a.rows() + "x" + a.cols()
          + ", b " + b.rows() + "x" + b.cols() + ", c " + m + "x" + n);
    }
    if (!direct(a.matrix(), b.matrix(), c.matrix())) {
      for (int i = 0; i < count; i++) {
        c.view(i).assign(Nd4j.gemm(a.view(i), b.view(i), transA, transB));
      }
      return;
    }
    // The pointers made once a thread, not once a product: a bert-base head's product takes a few
    // microseconds, and making them (and asking ND4J for shapes and types) each time took 4-13% of
    // a layer's head products at 32×64 and 1-7% at 16×128 (a throwaway harness, before and after
    // alternated; about 0.3 ms of a layer's 5.5 and 11 ms).
    Parallel.Body body = (part, from, to) -> {
      Operands operands = new Operands(a.matrix(), b.matrix(), c.matrix(), transA, transB);
      for (int i = from; i < to; i++) {
        operands.gemm(a.offset(i, operands.lda), b.offset(i, operands.ldb), c.offset(i, operands.ldc), m, n, k, 0.0);
      }
    };
    if (2L * count * m * n * k < SPLIT_FLOPS) {
      body.run(0, 0, count);
    } else {
      Parallel.rows(count, 1, body);
    }
  }

  /**
   * Three arrays as one thread's CBLAS operands: op(a) [m, k] from element {@code aOff} of a, op(b)
   * [k, n] from {@code bOff} of b, c [m, n] from {@code cOff} of c, each read with its whole
   * (last-dimension) rows as leading dimension. A thread's own: the pointers move to each product.
   */
  private static final class Operands {
    /** The arrays behind the pointers, fenced after each call: a raw pointer does not keep ND4J's memory alive ({@link Flat}). */
    private final INDArray[] owners;
    private final boolean isFloat;
    private final Pointer a;
    private final Pointer b;
    private final Pointer c;
    private final long a0;                                     // the pointers' positions at each array's first element
    private final long b0;
    private final long c0;
    private final int lda;
    private final int ldb;
    private final int ldc;
    private final int ta;
    private final int tb;

    Operands(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
      this.owners = new INDArray[] {a, b, c};
      this.isFloat = c.dataType() == DataType.FLOAT;
      this.a = isFloat ? new FloatPointer(a.data().addressPointer()) : new DoublePointer(a.data().addressPointer());
      this.b = isFloat ? new FloatPointer(b.data().addressPointer()) : new DoublePointer(b.data().addressPointer());
      this.c = isFloat ? new FloatPointer(c.data().addressPointer()) : new DoublePointer(c.data().addressPointer());
      this.a0 = this.a.position();                             // a view's buffer starts at the view
      this.b0 = this.b.position();
      this.c0 = this.c.position();
      this.lda = (int) a.size(a.rank() - 1);
      this.ldb = (int) b.size(b.rank() - 1);
      this.ldc = (int) c.size(c.rank() - 1);
      this.ta = transA ? CblasTrans : CblasNoTrans;
      this.tb = transB ? CblasTrans : CblasNoTrans;
    }

    /** {@code c = op(a) · op(b) + beta · c} on the sub-matrices at these element offsets. */
    void gemm(long aOff, long bOff, long cOff, int m, int n, int k, double beta) {
      a.position(a0 + aOff);
      b.position(b0 + bOff);
      c.position(c0 + cOff);
      if (isFloat) {
        openblas_nolapack.cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1f, (FloatPointer) a, lda, (FloatPointer) b, ldb,
            (float) beta, (FloatPointer) c, ldc);
      } else {
        openblas_nolapack.cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, (DoublePointer) a, lda, (DoublePointer) b, ldb,
            beta, (DoublePointer) c, ldc);
      }
      Reference.reachabilityFence(owners);
    }
  }

  /** Element {@code offset} of {@code a} (the buffer of a view already starts at the view's first element). */
  private static FloatPointer floats(INDArray a, long offset) {
    FloatPointer p = new FloatPointer(a.data().addressPointer());
    return p.position(p.position() + offset);
  }

  /** Whether the three arrays can go straight to CBLAS: one float type, row-major and contiguous. */
  private static boolean direct(INDArray a, INDArray b, INDArray c) {
    DataType t = c.dataType();
    return DIRECT && (t == DataType.FLOAT || t == DataType.DOUBLE) && a.dataType() == t && b.dataType() == t
        && Flat.isContiguous(a) && Flat.isContiguous(b) && Flat.isContiguous(c);
  }

  private static boolean loadBlas() {
    try {
      Loader.load(openblas_nolapack.class);
      return true;
    } catch (Throwable e) {                                    // no OpenBLAS natives: another ND4J backend
      return false;
    }
  }
}
