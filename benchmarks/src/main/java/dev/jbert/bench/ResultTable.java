package dev.jbert.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** jbert beside torch per workload, printed as a Markdown table (torch columns "–" when the peer did not run). */
final class ResultTable {

  private record Row(Workload workload, Measurement jbert, Measurement torch) {}

  private final List<Row> rows = new ArrayList<>();

  void add(Workload w, Measurement jbert, Measurement torch) {
    rows.add(new Row(w, jbert, torch));
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /** One line per finished workload, printed as the run goes. */
  static String progressLine(Workload w, Measurement jbert, Measurement torch) {
    return String.format(Locale.ROOT, "%-20s jbert %8.1f ms (min %.1f, max %.1f) %7.2f seq/s | torch %s", w,
        jbert.msMedian(), jbert.msMin(), jbert.msMax(), jbert.seqPerS(),
        torch == null ? "–" : String.format(Locale.ROOT, "%8.1f ms %7.2f seq/s", torch.msMedian(), torch.seqPerS()));
  }

  void print(PrintStream out) {
    out.println();
    out.println("| workload | jbert ms | jbert seq/s | torch seq/s | jbert/torch | jbert GFLOP/s | torch GFLOP/s"
        + " | jbert peak RSS MB | torch peak RSS MB |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      Measurement j = r.jbert();
      Measurement t = r.torch();
      out.printf(Locale.ROOT, "| %s | %.1f | %.2f | %s | %s | %.0f | %s | %.0f | %s |%n", r.workload(), j.msMedian(),
          j.seqPerS(), t == null ? "–" : fmt("%.2f", t.seqPerS()),
          t == null ? "–" : fmt("%.2fx", j.seqPerS() / t.seqPerS()), j.gflops(),
          t == null ? "–" : fmt("%.0f", t.gflops()), j.peakRssMb(), t == null ? "–" : fmt("%.0f", t.peakRssMb()));
    }
    List<Row> training = rows.stream().filter(r -> r.workload().mode() == Workload.Mode.TRAIN).toList();
    if (!training.isEmpty()) {
      out.println();
      out.println("| training phases, median ms | jbert fwd+loss | jbert bwd | jbert AdamW | torch fwd+loss | torch bwd"
          + " | torch AdamW |");
      out.println("|---|---:|---:|---:|---:|---:|---:|");
      for (Row r : training) {
        Measurement j = r.jbert();
        Measurement t = r.torch();
        out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %s | %s | %s |%n", r.workload(), j.fwdMs(), j.bwdMs(),
            j.optMs(), t == null ? "–" : fmt("%.0f", t.fwdMs()), t == null ? "–" : fmt("%.0f", t.bwdMs()),
            t == null ? "–" : fmt("%.0f", t.optMs()));
      }
    }
  }

  private static String fmt(String format, double value) {
    return String.format(Locale.ROOT, format, value);
  }
}
