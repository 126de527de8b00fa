package dev.jbert.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One place that configures ND4J's thread pools and reports what backend is running.
 *
 * <p>ND4J has two pools (libnd4j's OpenMP pool for element-wise ops and OpenBLAS's for GEMM). The
 * OpenMP pool gets {@code JBERT_THREADS} threads from the environment, else the number of available
 * processors, capped at 2 on the 2-core machines this project is tuned for unless set explicitly.
 * OpenBLAS runs single-threaded: jbert's matrix products cut themselves over the kernel threads
 * ({@link dev.jbert.core.kernel.Gemm}, which says what that was measured to gain), so GEMMs and
 * the hand-written kernels share one pool.
 *
 * <p>Idle threads of both pools must sleep, not spin: OpenBLAS's workers otherwise spin for about
 * 2^28 cycles (~70 ms) after every GEMM and take the core from the hand-written kernels that run
 * between GEMMs (measured on MiniLM 32×64: softmax 37 → 23 ms, GELU 58 → 35 ms, a training step
 * 1175 → 1019 ms with {@code OPENBLAS_THREAD_TIMEOUT=4}). {@link #init()} therefore sets
 * {@code OMP_WAIT_POLICY=PASSIVE} and {@code OPENBLAS_THREAD_TIMEOUT=4} in the process environment
 * unless they are set, which takes effect when it runs before anything else loads ND4J; call it
 * first, or export both variables ({@code bin/jbert}, Surefire and the Maven profiles do). jbert's
 * own kernel threads spin only 100 µs, not milliseconds, before they sleep
 * ({@link dev.jbert.core.kernel.Parallel}): enough to catch the next kernel of a batch-1 forward pass.
 *
 * <p>OpenBLAS 0.3.21 (ND4J 1.0.0-M2.1's) predates AMD's AVX-512 CPUs (Zen 4 and 5) and runs its
 * AVX2 kernels there. On such a CPU {@link #init()} also sets {@code OPENBLAS_CORETYPE=SkylakeX}
 * unless it is set, so OpenBLAS uses its AVX-512 kernels ({@link #openBlasCoreType}). Measured with
 * {@code bin/jbert-bench --config minilm --no-torch} on 2 vCPUs of an AMD EPYC with AVX-512, without
 * and with it: SGEMM ceiling 195 and 364 GFLOP/s, MiniLM inference at 32×64 312 and 187 ms, a
 * training step at 32×64 979 and 609 ms; batch-1 inference, whose encoder products are jbert's own,
 * 0.2-0.6 ms slower (5.1 and 4.7 vs 5.3 and 5.3 ms, the attention heads' small products).
 */
public final class Backend {

  private static final Logger LOG = LoggerFactory.getLogger(Backend.class);

  private static volatile boolean initialised;

  /** Environment defaults read by libgomp and OpenBLAS when they load. */
  private static final Map<String, String> THREAD_ENVIRONMENT =
      Map.of("OMP_WAIT_POLICY", "PASSIVE", "OPENBLAS_THREAD_TIMEOUT", "4");

  /** OpenBLAS's name of its AVX-512 kernels, for AMD CPUs it does not know. */
  static final String AVX512_CORE_TYPE = "SkylakeX";

  private static final List<String> SKYLAKEX_FLAGS =
      List.of("avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl");

  private Backend() {}

  /**
   * The {@code OPENBLAS_CORETYPE} this CPU needs, from the text of {@code /proc/cpuinfo}: {@value
   * #AVX512_CORE_TYPE} for an AMD CPU with the AVX-512 subsets of OpenBLAS's SkylakeX kernels, else
   * null (OpenBLAS detects Intel's AVX-512 CPUs itself).
   */
  static String openBlasCoreType(String cpuinfo) {
    String vendor = null;
    Set<String> flags = Set.of();
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (key.equals("vendor_id") && vendor == null) {
        vendor = value;
      } else if (key.equals("flags") && flags.isEmpty()) {
        flags = new HashSet<>(Arrays.asList(value.split("\\s+")));
      }
    }
    return "AuthenticAMD".equals(vendor) && flags.containsAll(SKYLAKEX_FLAGS) ? AVX512_CORE_TYPE : null;
  }

  private static String cpuinfo() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo"));
    } catch (IOException | RuntimeException e) {
      return "";                                               // not Linux: OpenBLAS decides
    }
  }

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
        if (NativeEnvironment.isLoaded("libopenblas") && System.getenv("OPENBLAS_THREAD_TIMEOUT") == null) {
          LOG.warn("OpenBLAS was loaded before Backend.init(), so its idle workers spin after every GEMM and the "
              + "kernels between GEMMs may get one core; export OPENBLAS_THREAD_TIMEOUT=4 and OMP_WAIT_POLICY=PASSIVE, "
              + "or call Backend.init() before any other ND4J use");
        }
        for (Map.Entry<String, String> e : THREAD_ENVIRONMENT.entrySet()) {
          NativeEnvironment.setDefault(e.getKey(), e.getValue());
        }
        String coreType = openBlasCoreType(cpuinfo());
        if (coreType != null) {
          NativeEnvironment.setDefault("OPENBLAS_CORETYPE", coreType);
        }
        int n = threads();
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        Nd4j.factory().blas().setMaxThreads(1);                // Gemm splits over the kernel threads
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
    out.put("OMP_WAIT_POLICY", String.valueOf(NativeEnvironment.get("OMP_WAIT_POLICY")));
    out.put("OPENBLAS_THREAD_TIMEOUT", String.valueOf(NativeEnvironment.get("OPENBLAS_THREAD_TIMEOUT")));
    out.put("OPENBLAS_CORETYPE", String.valueOf(NativeEnvironment.get("OPENBLAS_CORETYPE")));
    out.put("default.dtype", String.valueOf(Nd4j.dataType()));
    out.put("off-heap.max.bytes", String.valueOf(org.bytedeco.javacpp.Pointer.maxBytes()));
    return out;
  }
}
