package dev.jbert.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The PyTorch peer, {@code run_torch.sh} in the shared peers folder: one process per workload,
 * 2 threads, printing one JSON line ({@code ms_median}, {@code seq_per_s}, {@code peak_rss_MB}, ...).
 * Where {@code python3} cannot import torch the peer is unavailable and says why, so that a
 * benchmark prints jbert's side only instead of failing.
 */
final class TorchPeer {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PYTHON = "/usr/bin/python3";

  private final Path script;

  private TorchPeer(Path script) {
    this.script = script;
  }

  /** The peer in {@code peersDir}, or empty with the reason printed when it cannot run here. */
  static Optional<TorchPeer> find(Path peersDir) {
    Path script = peersDir.resolve("run_torch.sh");
    if (!Files.isRegularFile(script)) {
      System.out.println("PyTorch peer: " + script.toAbsolutePath() + " not found; printing jbert only"
          + " (pass --peers DIR or run from the project root with ../shared beside it)");
      return Optional.empty();
    }
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0) {
        System.out.println("PyTorch peer: " + PYTHON + " cannot import torch (" + lastLine(output) + "); printing jbert"
            + " only. Install it with: apt-get install -y python3-torch libopenblas0-openmp");
        return Optional.empty();
      }
    } catch (IOException e) {
      System.out.println("PyTorch peer: cannot start " + PYTHON + " (" + e.getMessage() + "); printing jbert only");
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    return Optional.of(new TorchPeer(script));
  }

  /** Runs {@code bash run_torch.sh RUNS CONFIG MODE BATCH SEQ}; empty (reason printed) if it fails. */
  Optional<Measurement> measure(Workload w, int runs) throws IOException, InterruptedException {
    List<String> command = List.of("bash", script.toString(), Integer.toString(runs), w.shape().id(), w.mode().id(),
        Integer.toString(w.batch()), Integer.toString(w.seq()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    // Debian's OpenBLAS is 0.3.21 too: where jbert named its kernels, the peer gets the same ones.
    BenchReport.Machine.openBlasCoreNamedByJbert().ifPresent(core -> pb.environment().put("OPENBLAS_CORETYPE", core));
    Process p = pb.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        lines.add(line);
      }
    }
    int exit = p.waitFor();
    for (String line : lines) {
      if (line.startsWith("{")) {
        return Optional.of(parse(w, JSON.readTree(line)));
      }
    }
    System.out.println("PyTorch peer failed on " + w + " (exit " + exit + "): "
        + (lines.isEmpty() ? "no output" : lastLine(String.join("\n", lines))));
    return Optional.empty();
  }

  private static Measurement parse(Workload w, JsonNode r) {
    boolean train = w.mode() == Workload.Mode.TRAIN;
    return new Measurement("torch " + r.path("torch").asText(), w.toString(), r.path("runs").asInt(),
        r.path("ms_median").asDouble(), r.path("ms_min").asDouble(), r.path("ms_max").asDouble(),
        r.path("seq_per_s").asDouble(), r.path("gflops").asDouble(), r.path("peak_rss_MB").asDouble(),
        train ? r.path("fwd_ms_median").asDouble() : null, train ? r.path("bwd_ms_median").asDouble() : null,
        train ? r.path("opt_ms_median").asDouble() : null);
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1];
  }
}
