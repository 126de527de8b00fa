package dev.jbert.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Prints a {@link BenchReport} as the lines and Markdown tables the README's performance section
 * takes: the machine, the SGEMM ceiling, one row per workload with jbert beside ONNX Runtime and
 * PyTorch (ratios are peer time over jbert time: above 1 jbert is faster), then the tokenizer, the
 * start-up times and the same-function check.
 */
final class BenchTable {

  private static final String NONE = "–";

  private BenchTable() {}

  static void print(BenchReport r, PrintStream out) {
    BenchReport.Machine m = r.machine();
    out.println();
    out.printf(Locale.ROOT, "jbert-bench %s (%s run): median of %d timed runs after %d warm-up runs, %d threads,"
        + " each side in its own process, jbert and ONNX Runtime taking their timed runs in turns%n", r.date(),
        r.quick() ? "quick" : "full", r.runs(), r.warmup(), m.threads());
    String blas = m.blas().equals("MKL") ? "BLAS: Intel MKL" : "OpenBLAS kernels: " + m.openBlasCoreType();
    out.printf(Locale.ROOT, "CPU: %s, %d cores, %s (flags: %s); %s; %s; load average %s at the start,"
        + " %s at the end%n", m.cpuModel(), m.cores(), m.vectorWidth(), String.join(" ", m.flags()), blas,
        m.java(), m.loadAverageStart(), r.loadAverageEnd());
    SgemmCeiling c = r.sgemm();
    out.printf(Locale.ROOT, "SGEMM ceiling: the faster of Gemm.matmul and Nd4j.gemm on the BLAS library's threads, %dx%dx%d into a preallocated output, %.0f GFLOP/s (median;"
        + " best %.0f)%n", c.m(), c.k(), c.n(), c.gflopsMedian(), c.gflopsBest());
    out.println();
    out.println("| workload | jbert ms | ORT ms | torch ms | jbert seq/s | ORT seq/s | torch seq/s | jbert/ORT"
        + " | jbert/torch | jbert GFLOP/s | % of SGEMM | ORT GFLOP/s | torch GFLOP/s | jbert peak RSS MB"
        + " | ORT peak RSS MB | torch peak RSS MB |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (BenchReport.Row row : r.rows()) {
      Measurement j = row.jbert();
      Measurement o = row.ort();
      Measurement t = row.torch();
      out.printf(Locale.ROOT, "| %s | %.1f | %s | %s | %.2f | %s | %s | %s | %s | %.0f | %.0f%% | %s | %s | %.0f | %s | %s |%n",
          row.workload(), j.msMedian(), cell(o, row.ortNote(), "%.1f", Measurement::msMedian),
          cell(t, row.torchNote(), "%.1f", Measurement::msMedian), j.seqPerS(),
          cell(o, NONE, "%.2f", Measurement::seqPerS), cell(t, NONE, "%.2f", Measurement::seqPerS),
          cell(o, NONE, "%.2fx", x -> x.msMedian() / j.msMedian()), cell(t, NONE, "%.2fx", x -> x.msMedian() / j.msMedian()),
          j.gflops(), 100 * j.gflops() / c.gflopsMedian(), cell(o, NONE, "%.0f", Measurement::gflops),
          cell(t, NONE, "%.0f", Measurement::gflops), j.peakRssMb(), cell(o, NONE, "%.0f", Measurement::peakRssMb),
          cell(t, NONE, "%.0f", Measurement::peakRssMb));
    }
    out.println();
    out.println("| also measured | jbert | peer | jbert/peer |");
    out.println("|---|---:|---:|---:|");
    BenchReport.Tokenizer tk = r.tokenizer();
    if (tk != null) {
      TokenizerThroughput.Rates rt = tk.rates();
      out.printf(Locale.ROOT, "| tokens/s, encode(text), 1 thread, %d texts (%d mismatches) | %.2f M | %s %.2f M | %.1fx |%n",
          rt.texts(), rt.mismatches(), rt.jbertPerS() / 1e6, tk.hf(), rt.hfPerS() / 1e6, rt.jbertPerS() / rt.hfPerS());
      out.printf(Locale.ROOT, "| tokens/s, encodeBatch(32 texts), 1 thread | %.2f M | %s %.2f M | %.1fx |%n",
          rt.jbertBatchPerS() / 1e6, tk.hf(), rt.hfBatchPerS() / 1e6, rt.jbertBatchPerS() / rt.hfBatchPerS());
    }
    BenchReport.Startup s = r.startup();
    if (s != null) {
      if (s.predictNote() == null) {
        out.printf(Locale.ROOT, "| start-up: `jbert predict` start to first answer, MiniLM (median of %d after 1 untimed; exit %.0f ms)"
            + " | %.0f ms | %s | %s |%n", s.predict().size(), s.predictExitMs(), s.predictFirstAnswerMs(), NONE, NONE);
      } else {
        out.printf(Locale.ROOT, "| start-up: `jbert predict` start to first answer | %s | %s | %s |%n", s.predictNote(),
            NONE, NONE);
      }
      StartupTiming.InProcess p = s.inProcess();
      if (p != null) {
        out.printf(Locale.ROOT, "| start-up in process: fromPretrained %.0f ms + first forward %.0f ms (second %.1f ms;"
            + " JVM up %.0f ms before) | %.0f ms | %s | %s |%n", p.loadMs(), p.firstForwardMs(), p.secondForwardMs(),
            p.jvmUptimeMs(), p.totalMs(), NONE, NONE);
      }
    }
    BenchReport.SameFunction f = r.sameFunction();
    if (f != null) {
      out.printf(Locale.ROOT, "| same function: max abs diff of last_hidden_state, jbert vs ORT, 1x%d tokens | %.2e | %s | %s |%n",
          f.tokens(), f.maxAbsDiff(), NONE, NONE);
    }
    for (String note : r.notes()) {
      out.println("note: " + note);
    }
  }

  /** The formatted value of a peer's measurement, or {@code missing} when there is none. */
  private static String cell(Measurement m, String missing, String format, ToDoubleFunction<Measurement> value) {
    return m == null ? (missing == null ? NONE : missing) : String.format(Locale.ROOT, format, value.applyAsDouble(m));
  }
}
