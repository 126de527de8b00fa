package dev.jbert.core.nn;

import dev.jbert.core.ParameterScope;
import dev.jbert.core.kernel.Linear;
import dev.jbert.core.kernel.PackedWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The product {@code x Wᵀ} of a linear layer whose bias a fused kernel adds next. Forward-only
 * activations of at most {@link #PACKED_MAX_ROWS} rows (batch-1 inference) use the weight packed once
 * ({@link PackedWeight}, kept by the parameters until they change) where the packed kernel is
 * {@link PackedWeight#preferred() preferred}; everything else is one GEMM on the weight as stored.
 */
final class Projection {

  /**
   * Above this many rows OpenBLAS on the weight as stored is the faster (GemmBenchmark, MiniLM's
   * 384×1536 weight, 2 threads: 32 rows 1.38× faster packed, 128 rows 0.93×, 2048 rows 0.65×).
   */
  static final int PACKED_MAX_ROWS = 64;

  private Projection() {}

  /** out [rows, out] = x [rows, in] Wᵀ; {@code forwardOnly}: no backward pass follows this forward. */
  static void forward(INDArray out, INDArray x, ParameterScope.Tensor weight, boolean forwardOnly) {
    INDArray w = weight.value();
    if (forwardOnly && out.size(0) <= PACKED_MAX_ROWS && w.dataType() == DataType.FLOAT && PackedWeight.preferred()) {
      Linear.forward(out, x, weight.derived(PackedWeight.class, PackedWeight::of), null);
    } else {
      Linear.forward(out, x, w, null);
    }
  }
}
