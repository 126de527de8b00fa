package dev.jbert.bench;

import dev.jbert.core.backend.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything one run of {@code bin/jbert-bench} measured, written as its JSON file and printed by
 * {@link BenchTable}. A peer or part that did not run has a null measurement and a note that says
 * why (e.g. {@code "not installed"}).
 *
 * @param date when the run started (ISO-8601, local time with offset)
 * @param quick whether it was the {@code --quick} smoke run
 * @param runs timed runs per workload (median reported), after {@code warmup} untimed ones
 * @param sgemm the SGEMM ceiling measured in this run
 * @param rows one per workload, jbert beside its peers
 * @param sameFunction jbert's last_hidden_state against ONNX Runtime's on one input, or null
 * @param tokenizer jbert's tokenizer beside Hugging Face tokenizers, or null (see {@code notes})
 * @param startup start-up times
 * @param notes what was skipped and why
 * @param loadAverageEnd {@code /proc/loadavg} at the end
 */
record BenchReport(String date, Machine machine, boolean quick, int runs, int warmup, SgemmCeiling sgemm,
    List<Row> rows, SameFunction sameFunction, Tokenizer tokenizer, Startup startup, List<String> notes,
    String loadAverageEnd) {

  /**
   * The machine: these differ (one seen here has AVX2 only, another AVX-512), so timings name it.
   *
   * @param flags the vector-instruction flags of {@code /proc/cpuinfo} that matter to GEMM
   * @param threads the threads every side runs with
   * @param blas the BLAS library jbert's products ran on: {@code OPENBLAS} or {@code MKL} ({@link
   *     dev.jbert.core.backend.BlasLibrary})
   * @param openBlasCoreType {@code OPENBLAS_CORETYPE} as exported (it overrides OpenBLAS's choice of
   *     kernels: Haswell's are AVX2 even on an AVX-512 CPU), else the kernels jbert named on a CPU that
   *     OpenBLAS misreads, else "detected"
   */
  record Machine(String cpuModel, List<String> flags, int cores, int threads, String java, String ompWaitPolicy,
      String blas, String openBlasCoreType, String loadAverageStart) {

    private static final List<String> FLAGS = List.of("avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
        "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16");

    /** This machine, from {@code /proc/cpuinfo} and {@code /proc/loadavg} ("unknown" where absent). */
    static Machine here(int threads) {
      String model = "unknown";
      List<String> flags = new ArrayList<>();
      try {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
          if (line.startsWith("model name") && model.equals("unknown")) {
            model = line.substring(line.indexOf(':') + 1).trim();
          } else if (line.startsWith("flags") && flags.isEmpty()) {
            List<String> all = Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
            FLAGS.stream().filter(all::contains).forEach(flags::add);
          }
        }
      } catch (IOException e) {
        // not Linux: the model stays unknown
      }
      return new Machine(model, flags, Runtime.getRuntime().availableProcessors(), threads,
          System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), System.getenv("OMP_WAIT_POLICY"),
          Backend.blasLibrary().name(), openBlasKernels(), loadAverage());
    }

    /** As exported, else the kernels jbert named ({@link Backend#init()}), else "detected". */
    private static String openBlasKernels() {
      String exported = System.getenv("OPENBLAS_CORETYPE");
      if (exported != null) {
        return exported;
      }
      return openBlasCoreNamedByJbert().map(core -> core + " (named by jbert: OpenBLAS 0.3.21 misreads this CPU)")
          .orElse("detected");
    }

    /**
     * The {@code OPENBLAS_CORETYPE} that {@link Backend#init()} set in this process because OpenBLAS
     * 0.3.21 would run its SSE3 kernels on this CPU; empty where it was exported or is not needed.
     * Child processes do not see it (they inherit Java's copy of the environment), so peers that
     * load OpenBLAS are given it.
     */
    static Optional<String> openBlasCoreNamedByJbert() {
      if (System.getenv("OPENBLAS_CORETYPE") != null) {
        return Optional.empty();
      }
      return Backend.openBlasCoreType();
    }

    /** {@code AVX-512}, {@code AVX2} or {@code no AVX2}: the widest vector unit the flags name. */
    String vectorWidth() {
      return flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2" : "no AVX2";
    }
  }

  /**
   * One workload: jbert and each peer, or a peer's note.
   *
   * @param ortNote why there is no ONNX Runtime figure (e.g. "no export" for bert-base), else null
   * @param torchNote why there is no PyTorch figure (e.g. "not installed"), else null
   */
  record Row(String workload, String mode, Measurement jbert, Measurement ort, String ortNote, Measurement torch,
      String torchNote) {}

  /**
   * The comparison is of the same function: jbert's and ONNX Runtime's last_hidden_state on one
   * tokenised input, from the same weights.
   */
  record SameFunction(String text, int tokens, double maxAbsDiff) {}

  /** Tokens per second, one thread, on {@code data}; {@code hf} names the peer library's version. */
  record Tokenizer(String data, String hf, TokenizerThroughput.Rates rates) {}

  /**
   * Start-up: {@code jbert predict} from process start to its first answer (each run), or a note;
   * and in a fresh JVM, {@code fromPretrained} to the first forward.
   */
  record Startup(String predictModel, List<StartupTiming.Predict> predict, String predictNote,
      StartupTiming.InProcess inProcess) {

    /** Median first answer over the runs, or NaN without one. */
    double predictFirstAnswerMs() {
      return predict == null || predict.isEmpty() ? Double.NaN
          : JbertTiming.median(predict.stream().mapToDouble(StartupTiming.Predict::firstAnswerMs).toArray());
    }

    /** Median exit time over the runs, or NaN without one. */
    double predictExitMs() {
      return predict == null || predict.isEmpty() ? Double.NaN
          : JbertTiming.median(predict.stream().mapToDouble(StartupTiming.Predict::exitMs).toArray());
    }
  }

  /** {@code /proc/loadavg}'s three figures, or "unknown". */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return String.format(Locale.ROOT, "%s %s %s", parts[0], parts[1], parts[2]);
    } catch (IOException e) {
      return "unknown";
    }
  }
}
