package dev.jbert.core;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One place that configures ND4J's thread pools and reports what backend is running.
 *
 * <p>ND4J has two pools (libnd4j's OpenMP pool for element-wise ops and OpenBLAS's for GEMM). Left
 * at their defaults they spin against each other on a small machine, so both are set to the same
 * count: {@code JBERT_THREADS} from the environment, else the number of available processors,
 * capped at 2 on the 2-core machines this project is tuned for unless set explicitly. Run with
 * {@code OMP_WAIT_POLICY=PASSIVE} ({@code bin/jbert} and Surefire do) so idle OpenMP threads sleep.
 */
public final class Backend {

  private static volatile boolean initialised;

  private Backend() {}

  /** Thread count jbert asks ND4J for. */
  public static int threads() {
    String env = System.getenv("JBERT_THREADS");
    if (env != null && !env.isBlank()) {
      try {
        int n = Integer.parseInt(env.trim());
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("JBERT_THREADS must be a positive integer, got '" + env + "'", e);
      }
      throw new IllegalArgumentException("JBERT_THREADS must be a positive integer, got '" + env + "'");
    }
    return Math.min(2, Runtime.getRuntime().availableProcessors());
  }

  /** Sets both ND4J thread pools; idempotent and cheap after the first call. */
  public static void init() {
    if (initialised) {
      return;
    }
    synchronized (Backend.class) {
      if (!initialised) {
        int n = threads();
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        Nd4j.factory().blas().setMaxThreads(n);
        initialised = true;
      }
    }
  }

  /** Backend facts for {@code jbert version}: backend, BLAS vendor, thread counts, SIMD level. */
  public static Map<String, String> info() {
    init();
    java.util.Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
    Map<String, String> out = new LinkedHashMap<>();
    out.put("backend", String.valueOf(env.get("backend")));
    out.put("blas.vendor", String.valueOf(env.get("blas.vendor")));
    out.put("blas.threads", String.valueOf(Nd4j.factory().blas().getMaxThreads()));
    out.put("omp.threads", String.valueOf(Nd4j.getEnvironment().maxThreads()));
    out.put("cores", String.valueOf(env.get("cores")));
    out.put("OMP_WAIT_POLICY", String.valueOf(System.getenv("OMP_WAIT_POLICY")));
    out.put("default.dtype", String.valueOf(Nd4j.dataType()));
    out.put("off-heap.max.bytes", String.valueOf(org.bytedeco.javacpp.Pointer.maxBytes()));
    return out;
  }
}
