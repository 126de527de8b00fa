package dev.jbert.core.kernel;

import static org.bytedeco.mkl.global.mkl_rt.CblasBMatrix;
import static org.bytedeco.mkl.global.mkl_rt.CblasNoTrans;
import static org.bytedeco.mkl.global.mkl_rt.CblasPacked;
import static org.bytedeco.mkl.global.mkl_rt.CblasRowMajor;
import static org.bytedeco.mkl.global.mkl_rt.CblasTrans;

import java.lang.ref.Reference;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.mkl.global.mkl_rt;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A linear layer's weight [out, in] packed once by MKL ({@code cblas_sgemm_pack}) for the inference
 * GEMM of {@link Gemm#matmul(INDArray, MklPackedWeight, INDArray)}: where MKL carries the products
 * (dev.jbert.core.backend.BlasLibrary), batch-1 inference multiplies by these instead of {@link PackedWeight}'s
 * panels. The output columns are cut into one block per kernel thread, each packed on its own, so
 * that each thread streams only its share of the weight (a cut by rows had both threads read all of
 * it).
 *
 * <p>Why: MiniLM's 24 products of a 1×32 forward, six layers' distinct weights, took 2.4–2.7 ms on
 * two threads this way against 4.0–4.5 ms for the Java kernel of {@link PackedWeight} (Intel Xeon,
 * Emerald Rapids; README, "BLAS: OpenBLAS or MKL"), the weights coming from memory on every forward.
 */
public final class MklPackedWeight extends InferenceWeight {

  /** Whether MKL is the BLAS ND4J loaded: asked of ND4J, so this class never touches MKL's classes otherwise. */
  private static final boolean MKL = Nd4j.factory().blas().getBlasVendor() == Blas.Vendor.MKL;

  /** The rows of A MKL is told to pack for: a 1×32 forward's. */
  private static final int PACKED_FOR_ROWS = 32;

  private final FloatPointer[] blocks;
  private final int[] columns;                               // block b holds output columns [columns[b], columns[b + 1])

  private MklPackedWeight(FloatPointer[] blocks, int[] columns, int out, int in) {
    super(out, in);
    this.blocks = blocks;
    this.columns = columns;
  }

  /** Whether models pack their weights this way: MKL carries the products in this process. */
  public static boolean preferred() {
    return MKL;
  }

  /** Packs a FLOAT weight [out, in] (a copy: later writes to {@code weight} are not seen), one block per kernel thread. */
  public static MklPackedWeight of(INDArray weight) {
    if (!MKL) {
      throw new IllegalStateException("MKL is not the BLAS library of this process (dev.jbert.core.backend.BlasLibrary)");
    }
    if (weight.rank() != 2 || weight.dataType() != DataType.FLOAT || !Flat.isContiguous(weight)) {
      throw new IllegalArgumentException("a packed weight is a contiguous FLOAT matrix [out, in], got "
          + weight.dataType() + " " + Arrays.toString(weight.shape()));
    }
    int out = (int) weight.size(0);
    int in = (int) weight.size(1);
    int parts = Math.min(Parallel.threads(), out);
    int[] columns = new int[parts + 1];
    FloatPointer[] blocks = new FloatPointer[parts];
    FloatPointer w = new FloatPointer(weight.data().addressPointer());
    for (int b = 0; b < parts; b++) {
      columns[b + 1] = (int) ((long) out * (b + 1) / parts);
      int n = columns[b + 1] - columns[b];
      // B = Wᵀ [in, n]: rows columns[b].. of W, read transposed; packed for batch 1's rows, and valid for
      // any number of rows of A (MklPackedWeightTest checks 1 to 64)
      blocks[b] = new FloatPointer(mkl_rt.cblas_sgemm_pack_get_size(CblasBMatrix, PACKED_FOR_ROWS, n, in) / Float.BYTES);
      mkl_rt.cblas_sgemm_pack(CblasRowMajor, CblasBMatrix, CblasTrans, PACKED_FOR_ROWS, n, in, 1f,
          new FloatPointer(w).position(w.position() + (long) columns[b] * in), in, blocks[b]);
    }
    Reference.reachabilityFence(weight);                       // w does not hold the weight's memory
    return new MklPackedWeight(blocks, columns, out, in);
  }

  /** {@code c = a · Wᵀ} by MKL ({@link Gemm#matmul(INDArray, MklPackedWeight, INDArray)}). */
  @Override
  public void multiply(INDArray a, INDArray c) {
    Gemm.matmul(a, this, c);
  }

  /** Number of column blocks, one per kernel thread. */
  int blocks() {
    return blocks.length;
  }

  /**
   * {@code c[:, block's columns] = a · (block of Wᵀ)}: a [rows, in] and c [rows, out], FLOAT, contiguous,
   * given as pointers at their first element.
   */
  void multiply(int block, FloatPointer a, FloatPointer c, int rows) {
    int lo = columns[block];
    mkl_rt.cblas_sgemm_compute(CblasRowMajor, CblasNoTrans, CblasPacked, rows, columns[block + 1] - lo, in(), a, in(),
        blocks[block], in(), 0f, new FloatPointer(c).position(c.position() + lo), out());
  }
}
