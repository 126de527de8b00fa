package dev.jbert.core.kernel;

import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A linear layer's weight [out, in] laid out once for the inference GEMM of {@link Gemm#matmul(INDArray,
 * PackedWeight, INDArray)}: panels of {@link #panelWidth()} output columns, each stored input-major
 * (element {@code [k][j]} of a panel is {@code W[panel·width + j][k]}), the last panel padded with
 * zeros. A general GEMM (OpenBLAS's) packs its operand this way on every call; at the 13-32 rows
 * of batch-1 inference that copy costs about as much as the product, so a model that only predicts
 * packs once and keeps the copy (as ONNX Runtime pre-packs its weights at load).
 *
 * <p>The packed kernel needs the Vector API ({@code --add-modules jdk.incubator.vector}, which
 * {@code bin/jbert} passes; {@link #available()}), and models use it only where the vectors hold 16
 * floats (AVX-512, {@link #preferred()}), the machines it was measured faster on. Elsewhere models
 * keep using OpenBLAS, and nothing is packed.
 */
public final class PackedWeight extends InferenceWeight {

  private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  private static final boolean PREFERRED = AVAILABLE && VectorGemm.wideEnough();
  /**
   * Compiles the kernel in the background: until the JIT has compiled it, Vector API code runs
   * boxed and slow (MiniLM's first 13-row forward took 389 ms in its products instead of 15). Models
   * start it when they are built, so that it overlaps the loading of their weights. Null where the
   * kernel is not preferred: nothing may touch the Vector API classes unless the module is there.
   */
  private static final FutureTask<Void> WARM_UP = PREFERRED ? new FutureTask<>(VectorGemm::warmUp, null) : null;

  private static final AtomicBoolean WARM_UP_STARTED = new AtomicBoolean();

  private final float[] panels;

  private PackedWeight(float[] panels, int out, int in) {
    super(out, in);
    this.panels = panels;
  }

  /** Whether this JVM can run the packed kernel: it was started with the Vector API module. */
  public static boolean available() {
    return AVAILABLE;
  }

  /** Whether the Vector API is there with 16-float vectors, without waiting for any warm-up. */
  static boolean wideVectors() {
    return PREFERRED;
  }

  /**
   * Whether models should use the packed kernel here: it is {@link #available()} and its vectors hold
   * 16 floats. When so, waits for the kernel's warm-up ({@link #warmUpInBackground()}; started here if
   * nobody did), so that models use the kernel from their first forward pass on.
   */
  public static boolean preferred() {
    if (!PREFERRED) {
      return false;
    }
    warmUpInBackground();
    try {
      WARM_UP.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;                                          // use OpenBLAS this once
    } catch (ExecutionException e) {
      throw new IllegalStateException("the packed GEMM's warm-up failed", e.getCause());
    }
    return true;
  }

  /**
   * Starts compiling the packed kernel on a daemon thread, once per JVM, where models will use it
   * ({@link #preferred()}); model constructors call it, so the warm-up runs while weights load.
   */
  public static void warmUpInBackground() {
    if (PREFERRED && WARM_UP_STARTED.compareAndSet(false, true)) {
      Thread t = new Thread(WARM_UP, "jbert-packed-gemm-warm-up");
      t.setDaemon(true);
      t.start();
    }
  }

  /** Packs a FLOAT weight [out, in] (a copy: later writes to {@code weight} are not seen). */
  public static PackedWeight of(INDArray weight) {
    requireAvailable();
    if (weight.rank() != 2 || weight.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("a packed weight is a FLOAT matrix [out, in], got " + weight.dataType() + " "
          + Arrays.toString(weight.shape()));
    }
    int out = (int) weight.size(0);
    int in = (int) weight.size(1);
    int width = VectorGemm.PANEL;
    int panelCount = (out + width - 1) / width;
    float[] panels = new float[panelCount * width * in];
    Flat w = Flat.of(weight);
    Parallel.rows(panelCount, 1, (part, from, to) -> {
      float[] row = new float[in];
      for (int j = from * width; j < Math.min(out, to * width); j++) {
        w.get(j * in, row, 0, in);
        int base = (j / width) * width * in + j % width;     // column j % width of panel j / width
        for (int k = 0; k < in; k++) {
          panels[base + k * width] = row[k];
        }
      }
    });
    return new PackedWeight(panels, out, in);
  }

  /** Output columns per panel (three vectors); needs the module, as {@link #of}. */
  public static int panelWidth() {
    requireAvailable();
    return VectorGemm.PANEL;
  }

  private static void requireAvailable() {
    if (!AVAILABLE) {
      throw new IllegalStateException("the packed GEMM needs the Vector API: start the JVM with "
          + "--add-modules jdk.incubator.vector");
    }
  }

  /** {@code c = a · Wᵀ} by the packed kernel ({@link Gemm#matmul(INDArray, PackedWeight, INDArray)}). */
  @Override
  public void multiply(INDArray a, INDArray c) {
    Gemm.matmul(a, this, c);
  }

  /**
   * {@code c = f(a · Wᵀ)} by the packed kernel, f applied by each thread to its columns
   * ({@link Gemm#matmul(INDArray, PackedWeight, INDArray, Epilogue)}).
   */
  public void multiply(INDArray a, INDArray c, Epilogue f) {
    Gemm.matmul(a, this, c, f);
  }

  /** Bytes of the packed copy. */
  public long bytes() {
    return 4L * panels.length;
  }

  float[] panels() {
    return panels;
  }

  int panelCount() {
    return panels.length / (VectorGemm.PANEL * in());
  }
}
