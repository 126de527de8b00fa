package dev.jbert.core.nn;

import dev.jbert.core.kernel.Activation;
import dev.jbert.core.kernel.Epilogue;
import dev.jbert.core.kernel.InferenceWeight;
import dev.jbert.core.kernel.Linear;
import dev.jbert.core.kernel.MklPackedWeight;
import dev.jbert.core.kernel.PackedWeight;
import dev.jbert.core.param.ParameterScope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The product {@code x Wᵀ} of a linear layer whose bias a fused kernel adds next, or with its bias
 * and activation ({@link #inference}). Forward-only
 * activations of at most {@link #PACKED_MAX_ROWS} rows (batch-1 inference) use the weight packed once
 * ({@link PackedWeight}, kept by the parameters until they change) where the packed kernel is
 * {@link PackedWeight#preferred() preferred} and the model has at most {@link #PACKED_MAX_MODEL_SIZE}
 * parameters, or the weight packed by MKL ({@link MklPackedWeight}) where MKL carries the products;
 * everything else is one GEMM on the weight as stored.
 */
final class Projection {

  /**
   * Above this many rows OpenBLAS on the weight as stored is as fast or faster in a model, where the
   * weights come cold from memory: with the weight hot in cache the packed kernel still wins at 256
   * rows (GemmBenchmark, MiniLM's 384×1536 weight, 2 threads: 1.5× at 64 rows, 1.3× at 128, 1.2× at
   * 256, 0.91× at 2048), but MiniLM's forward at 2×64 (128 rows) gained only 4% through it (12.4 vs
   * 12.9 ms, alternated in one JVM) and at 32×64 lost (188 vs 170 ms).
   */
  static final int PACKED_MAX_ROWS = 64;

  /**
   * The packed copies double the encoder's weights in memory. A small model's forward gains enough
   * for it; a large one's gains less than it costs (ModelThroughput worker at 1×32, alternated with
   * and without the Vector API module: MiniLM-L6, 23 M parameters, 7.5–8.2 vs 8.6–9.3 ms for +42 MB
   * of peak RSS; bert-base, 110 M, 54.9–60.0 vs 60.4–65.2 ms for +343 MB, which took it from 600 MB,
   * below PyTorch's 661, to 940). So models above 64 M parameters (256 MB in float) keep OpenBLAS.
   */
  static final long PACKED_MAX_MODEL_SIZE = 64_000_000;

  private Projection() {}

  /** out [rows, out] = x [rows, in] Wᵀ; {@code forwardOnly}: no backward pass follows this forward. */
  static void forward(INDArray out, INDArray x, ParameterScope.Tensor weight, boolean forwardOnly) {
    if (!usesPacked(out.size(0), weight, forwardOnly)) {
      Linear.forward(out, x, weight.value(), null);
      return;
    }
    InferenceWeight packed = MklPackedWeight.preferred()
        ? weight.derived(MklPackedWeight.class, MklPackedWeight::of)
        : weight.derived(PackedWeight.class, PackedWeight::of);
    Linear.forward(out, x, packed, null);
  }

  /**
   * out [rows, out] = act(x Wᵀ + b), no backward pass following. Where the Java
   * kernel's packed copy serves the product and the activation has an {@link Activation#epilogue},
   * each kernel thread applies it to the columns it has just computed; otherwise the activation's
   * {@link Activation#forward} runs after the product, a pass of its own.
   */
  static void inference(INDArray out, INDArray x, ParameterScope.Linear dense, Activation activation) {
    ParameterScope.Tensor weight = dense.weight();
    INDArray bias = dense.bias().value();
    boolean javaKernel = usesPacked(out.size(0), weight, true) && !MklPackedWeight.preferred();
    Epilogue epilogue = javaKernel ? activation.epilogue(bias, (int) out.size(1)) : null;
    if (epilogue != null) {
      weight.derived(PackedWeight.class, PackedWeight::of).multiply(x, out, epilogue);
      return;
    }
    forward(out, x, weight, true);
    activation.forward(out, out, bias);
  }

  /** Whether a product of {@code rows} rows by {@code weight} uses a packed copy: MKL's, else the Java kernel's. */
  static boolean usesPacked(long rows, ParameterScope.Tensor weight, boolean forwardOnly) {
    return forwardOnly && rows <= PACKED_MAX_ROWS && weight.value().dataType() == DataType.FLOAT
        && weight.modelSize() <= PACKED_MAX_MODEL_SIZE && (MklPackedWeight.preferred() || PackedWeight.preferred());
  }
}
