package dev.jbert.core.kernel;

import dev.jbert.core.Backend;
import dev.jbert.core.FlatView;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products into preallocated arrays: one GEMM ({@code c = op(a) op(b) + beta c}, BLAS
 * through ND4J, transpose flags instead of copies), and the batched products of attention heads.
 *
 * <p>ND4J runs a rank-3 {@code matmul} of small matrices (64×32 by 32×64 at MiniLM 32×64) on one
 * thread whatever its thread settings: 3.1 ms, 33 GFLOP/s, measured with 1 and 2 threads. Two
 * threads each multiplying half the batch took 1.8–2.0 ms, so {@link #batched} cuts the batch into
 * slices that {@link Parallel} threads multiply at the same time.
 */
public final class Gemm {

  /** Below this many FLOPs (about 50 µs of one core) one batched call on this thread is faster. */
  private static final long SPLIT_FLOPS = 4_000_000;

  private Gemm() {}

  /** {@code c = op(a) · op(b) + beta · c} for matrices; beta 0 overwrites c, 1 accumulates. */
  public static void matmul(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double beta) {
    Nd4j.gemm(a, b, c, transA, transB, 1.0, beta);
  }

  /** {@code c[i] = op(a[i]) · op(b[i])} per leading index; a, b, c rank 3, contiguous, c preallocated. */
  public static void batched(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB) {
    int n = (int) c.size(0);
    long flops = 2L * n * c.size(1) * c.size(2) * (transA ? a.size(1) : a.size(2));
    if (flops < SPLIT_FLOPS) {
      Nd4j.matmul(a, b, c, transA, transB, false); // a thread hand-off costs more than it saves
      return;
    }
    int threads = Backend.threads();
    Parallel.rows(n, (n + threads - 1) / threads, (part, from, to) ->
        Nd4j.matmul(slice(a, from, to), slice(b, from, to), slice(c, from, to), transA, transB, false));
  }

  /** Matrices [from, to) of a contiguous rank-3 array, as a view (no copy). */
  private static INDArray slice(INDArray a, int from, int to) {
    return FlatView.of(a, from * a.size(1) * a.size(2), to - from, a.size(1), a.size(2));
  }
}
