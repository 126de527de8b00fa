package dev.jbert.core.backend;

import dev.jbert.core.kernel.ThreadCount;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>{@link #init()} also chooses the BLAS library: MKL in OpenBLAS's place on an Intel CPU where
 * MKL's libraries are on the class path ({@link BlasLibrary}); and on the recent Intel CPUs whose
 * model OpenBLAS 0.3.21 misreads, it names the kernels OpenBLAS should run ({@code
 * OPENBLAS_CORETYPE}, see {@link OpenBlasCoreType}), the same way.
 */
public final class Backend {

  private static final Logger LOG = LoggerFactory.getLogger(Backend.class);

  private static volatile boolean initialised;

  /** {@link #init()} run by {@link #initInBackground()}; waited for by the next {@link #init()}. */
  private static final FutureTask<Void> BACKGROUND = new FutureTask<>(Backend::initHere, null);

  private static final AtomicBoolean BACKGROUND_STARTED = new AtomicBoolean();

  /** Environment defaults read by libgomp and OpenBLAS when they load. */
  private static final Map<String, String> THREAD_ENVIRONMENT =
      Map.of("OMP_WAIT_POLICY", "PASSIVE", "OPENBLAS_THREAD_TIMEOUT", "4");

  private Backend() {}

  /** Thread count jbert asks ND4J for: the kernel threads' ({@link ThreadCount#fromEnvironment()}). */
  public static int threads() {
    return ThreadCount.fromEnvironment();
  }

  /**
   * Sets both ND4J thread pools; idempotent and cheap after the first call. Where {@link
   * #initInBackground()} started it, waits for that and throws what it threw.
   */
  public static void init() {
    if (initialised) {
      return;
    }
    if (BACKGROUND_STARTED.get()) {
      try {
        BACKGROUND.get();
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while ND4J's native backend loaded", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        if (e.getCause() instanceof Error er) {
          throw er;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
    initHere();
  }

  /**
   * Starts {@link #init()} on a daemon thread, once per JVM: loading ND4J's native libraries takes a
   * quarter of a second or more, which a program can spend on other start-up work (the command line
   * does, while it parses its options); the next {@link #init()} waits for it.
   */
  public static void initInBackground() {
    if (!initialised && BACKGROUND_STARTED.compareAndSet(false, true)) {
      Thread t = new Thread(BACKGROUND, "jbert-backend-init");
      t.setDaemon(true);
      t.start();
    }
  }

  private static void initHere() {
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
        blasLibrary = loadInPlaceOfOpenBlas(BlasLibrary.forThisProcess());
        // named under MKL too: processes started from this one (a peer's OpenBLAS) are given it
        openBlasCore = OpenBlasCoreType.forThisCpu().map(Backend::nameOpenBlasCore).orElse(OpenBlasCoreType.Outcome.NOT_NEEDED);
        int n = threads();
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        Nd4j.factory().blas().setMaxThreads(1);                // Gemm splits over the kernel threads
        initialised = true;
      }
    }
  }

  /** The BLAS library the products run on; null until {@link #init()} ran. */
  private static volatile BlasLibrary blasLibrary;

  /**
   * Has JavaCPP load MKL in OpenBLAS's place where {@code chosen} is MKL; OpenBLAS where that is too
   * late (it was loaded before {@link #init()}: warned).
   */
  private static BlasLibrary loadInPlaceOfOpenBlas(BlasLibrary chosen) {
    if (chosen != BlasLibrary.MKL || System.getProperty(BlasLibrary.JAVACPP_LOAD) != null) {
      return chosen;                                         // OpenBLAS, or the application told JavaCPP itself
    }
    if (NativeEnvironment.isLoaded("libopenblas")) {
      LOG.warn("MKL would carry the matrix products (BlasLibrary: MKL on the class path of an Intel CPU, or {}=mkl), "
          + "but OpenBLAS was loaded before Backend.init(), so they run on OpenBLAS; call Backend.init() before any other "
          + "ND4J use, or set {}=openblas", BlasLibrary.ENVIRONMENT, BlasLibrary.ENVIRONMENT);
      return BlasLibrary.OPENBLAS;
    }
    System.setProperty(BlasLibrary.JAVACPP_LOAD, "mkl_rt");
    return BlasLibrary.MKL;
  }

  /** The BLAS library jbert's matrix products run on in this process ({@link BlasLibrary}). */
  public static BlasLibrary blasLibrary() {
    init();
    return blasLibrary;
  }

  /** What {@link #init()} did about OpenBLAS's kernels; null until it ran. */
  static volatile OpenBlasCoreType.Outcome openBlasCore;

  /**
   * Names OpenBLAS's kernels on a CPU it would run on Prescott's ({@link OpenBlasCoreType}), unless
   * {@code OPENBLAS_CORETYPE} is set; too late (a warning) where OpenBLAS was loaded already.
   */
  private static OpenBlasCoreType.Outcome nameOpenBlasCore(String core) {
    if (NativeEnvironment.get("OPENBLAS_CORETYPE") != null) {
      return OpenBlasCoreType.Outcome.EXPORTED;              // the user's choice
    }
    if (NativeEnvironment.isLoaded("libopenblas")) {
      LOG.warn("OpenBLAS 0.3.21 does not know this CPU and was loaded before Backend.init(), so its matrix products "
          + "run on SSE3 kernels, several times slower; export OPENBLAS_CORETYPE={} or call Backend.init() before any "
          + "other ND4J use", core);
      return OpenBlasCoreType.Outcome.TOO_LATE;
    }
    if (!NativeEnvironment.setDefault("OPENBLAS_CORETYPE", core)) {
      return OpenBlasCoreType.Outcome.TOO_LATE;              // no C library: NativeEnvironment warned
    }
    LOG.debug("OPENBLAS_CORETYPE={}: OpenBLAS 0.3.21 would run its SSE3 kernels on this CPU", core);
    return OpenBlasCoreType.Outcome.NAMED;
  }

  /**
   * The {@code OPENBLAS_CORETYPE} native code sees after {@link #init()}: exported, or named by it on
   * a CPU that OpenBLAS misreads ({@link OpenBlasCoreType}); empty where OpenBLAS picks its kernels.
   */
  public static Optional<String> openBlasCoreType() {
    init();
    return Optional.ofNullable(NativeEnvironment.get("OPENBLAS_CORETYPE"));
  }

  /** Backend facts for {@code jbert version}: backend, BLAS vendor, thread counts, SIMD level. */
  public static Map<String, String> info() {
    init();
    java.util.Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
    Map<String, String> out = new LinkedHashMap<>();
    out.put("backend", String.valueOf(env.get("backend")));
    out.put("blas", String.valueOf(blasLibrary));
    out.put("blas.vendor", String.valueOf(env.get("blas.vendor")));
    out.put("blas.threads", String.valueOf(Nd4j.factory().blas().getMaxThreads()));
    out.put("omp.threads", String.valueOf(Nd4j.getEnvironment().maxThreads()));
    out.put("cores", String.valueOf(env.get("cores")));
    out.put("OMP_WAIT_POLICY", String.valueOf(NativeEnvironment.get("OMP_WAIT_POLICY")));
    out.put("OPENBLAS_THREAD_TIMEOUT", String.valueOf(NativeEnvironment.get("OPENBLAS_THREAD_TIMEOUT")));
    out.put("OPENBLAS_CORETYPE", openBlasCoreType().orElse("null"));   // null: OpenBLAS detects
    out.put("default.dtype", String.valueOf(Nd4j.dataType()));
    out.put("off-heap.max.bytes", String.valueOf(org.bytedeco.javacpp.Pointer.maxBytes()));
    return out;
  }
}
