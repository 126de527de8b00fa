package dev.jbert.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jbert.core.BertModel;
import dev.jbert.core.TokenBatch;
import dev.jbert.core.backend.Backend;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.Encoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code bin/jbert-bench}: one run, one table, jbert beside every peer measured in the same run.
 * Inference sequences/s at 32×64 and 16×128 and latency at 1×32, training-step sequences/s at 32×64
 * and 16×128, for the MiniLM-L6 and bert-base shapes (random weights and ids, as the peers), each
 * beside ONNX Runtime Java on the all-MiniLM-L6-v2 export ({@link OrtPeer}; no bert-base export) and
 * PyTorch through {@code ../shared/peers/run_torch.sh} ({@link TorchPeer}; "not installed" where
 * {@code /usr/bin/python3} has no torch); with ratios, GFLOP/s, percent of the SGEMM ceiling
 * measured first ({@link SgemmCeiling}), and each side's peak RSS (every workload of every side
 * runs in its own process; jbert and ONNX Runtime take their timed runs in turns, {@link
 * ChildJvm#runAlternating}, so that a neighbour's load on a shared machine falls on both). Then the
 * tokenizer beside Hugging Face tokenizers ({@link TokenizerThroughput}), start-up ({@link
 * StartupTiming}: {@code jbert predict} to its first answer, {@code fromPretrained} to the first
 * forward) and the check that jbert and ONNX Runtime compute the same function (max |diff| of
 * last_hidden_state). Writes everything as JSON.
 *
 * <p>{@code --quick}: MiniLM only, 3 timed runs after 1 warm-up, 3 tokenizer passes, one start-up
 * run. The default full run: both shapes, 5 after 2, 9 passes, 3 start-up runs. Each start-up
 * measurement follows one untimed {@code jbert predict}.
 */
@Command(name = "jbert-bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "jbert beside ONNX Runtime, PyTorch and Hugging Face tokenizers, measured in one run; prints one"
        + " table and writes a JSON file.")
public final class JbertBench implements Callable<Integer> {

  /** The threads every side runs with. */
  static final int THREADS = 2;

  @Option(names = "--quick", description = "Smoke run: MiniLM only, fewer repeats (a few minutes).")
  boolean quick;

  @Option(names = "--config", split = ",", description = "minilm, base (default: both; --quick: minilm).")
  List<String> configs;

  @Option(names = "--runs", description = "Timed runs per workload, median reported (default 5; --quick 3).")
  Integer runs;

  @Option(names = "--warmup", description = "Untimed runs first (default 2; --quick 1).")
  Integer warmup;

  @Option(names = "--json", defaultValue = "jbert-bench.json", description = "Where to write the results (default: ${DEFAULT-VALUE}).")
  Path json;

  @Option(names = "--model", defaultValue = "${sys:jbert.home:-.}/../shared/models/all-MiniLM-L6-v2",
      description = "The all-MiniLM-L6-v2 folder (start-up and the same-function check).")
  Path model;

  @Option(names = "--peers", defaultValue = "${sys:jbert.home:-.}/../shared/peers", description = "Folder of run_torch.sh.")
  Path peers;

  @Option(names = "--texts", defaultValue = "${sys:jbert.home:-.}/../shared/data/banking77/train.csv",
      description = "CSV whose first column the tokenizers encode.")
  Path texts;

  @Option(names = "--jbert", defaultValue = "${sys:jbert.home:-.}/bin/jbert", description = "The jbert launcher, for start-up.")
  Path launcher;

  @Option(names = "--no-torch", description = "Skip the PyTorch peer.")
  boolean noTorch;

  @Option(names = "--no-ort", description = "Skip the ONNX Runtime peer and the same-function check.")
  boolean noOrt;

  public static void main(String[] args) {
    System.exit(new CommandLine(new JbertBench()).execute(args));
  }

  /**
   * What a run does, from the options.
   *
   * @param tokenizerPasses timed passes over the texts per tokenizer (after as many warm-up passes)
   * @param startupRuns runs of {@code jbert predict}
   */
  record Plan(List<Workload> workloads, int runs, int warmup, int tokenizerPasses, int startupRuns) {}

  /** The workloads and repeats these options ask for. */
  Plan plan() {
    List<String> shapes = configs != null ? configs : quick ? List.of("minilm") : List.of("minilm", "base");
    List<Workload> out = new ArrayList<>();
    for (String id : shapes) {
      ModelShape shape = ModelShape.byId(id);
      for (int[] bs : new int[][] {{32, 64}, {16, 128}, {1, 32}}) {
        out.add(new Workload(shape, Workload.Mode.INFER, bs[0], bs[1]));
      }
      for (int[] bs : new int[][] {{32, 64}, {16, 128}}) {
        out.add(new Workload(shape, Workload.Mode.TRAIN, bs[0], bs[1]));
      }
    }
    int r = runs != null ? runs : quick ? 3 : 5;
    int w = warmup != null ? warmup : quick ? 1 : 2;
    if (r < 1 || w < 0) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--runs must be >= 1 and --warmup >= 0, got "
          + r + " and " + w);
    }
    return new Plan(out, r, w, quick ? 3 : 9, quick ? 1 : 3);
  }

  @Override
  public Integer call() throws Exception {
    Plan plan = plan();
    String date = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
    BenchReport.Machine machine = BenchReport.Machine.here(THREADS);
    System.out.printf("jbert-bench %s: %d workloads, %s%n", date, plan.workloads().size(), machine);
    List<String> notes = new ArrayList<>();
    SgemmCeiling sgemm = SgemmCeiling.measure(quick ? 10 : 30);
    System.out.printf("SGEMM ceiling %.0f GFLOP/s%n", sgemm.gflopsMedian());

    Optional<TorchPeer> torch = noTorch ? Optional.empty() : TorchPeer.find(peers);
    String torchNote = noTorch ? "skipped" : torch.isPresent() ? null
        : Files.isRegularFile(peers.resolve("run_torch.sh")) ? "not installed" : "no run_torch.sh";
    if (torchNote != null) {
      notes.add("PyTorch: " + torchNote + (torchNote.equals("not installed")
          ? " (apt-get install -y python3-torch libopenblas0-openmp)" : ""));
    }
    List<BenchReport.Row> rows = new ArrayList<>();
    for (Workload w : plan.workloads()) {
      List<String> jbertArgs = ModelThroughput.workerArgs(w, plan.runs(), plan.warmup());
      Measurement mine = null;
      Measurement ort = null;
      String ortNote = ortNote(w);
      if (ortNote == null) {                       // beside ONNX Runtime: the timed runs in turns
        List<String> ortArgs = List.of(w.batch() + "x" + w.seq(), Integer.toString(plan.runs()),
            Integer.toString(plan.warmup()), ChildJvm.ON_REQUEST);
        List<String> onRequest = new ArrayList<>(jbertArgs);
        onRequest.add(ChildJvm.ON_REQUEST);
        try {
          List<Measurement> both = ChildJvm.runAlternating(List.of(
              new ChildJvm.Worker(ModelThroughput.class, onRequest), new ChildJvm.Worker(OrtPeer.class, ortArgs)),
              plan.runs(), Measurement.class);
          mine = both.get(0);
          ort = both.get(1);
        } catch (IllegalStateException e) {
          ortNote = "failed";
          notes.add("ONNX Runtime beside jbert on " + w + ": " + e.getMessage() + "; jbert timed alone");
        }
      }
      if (mine == null) {
        mine = ChildJvm.run(ModelThroughput.class, jbertArgs, Measurement.class);
      }
      Measurement theirs = null;
      String rowTorchNote = torchNote;
      if (torch.isPresent()) {
        theirs = torch.get().measure(w, plan.runs()).orElse(null);
        rowTorchNote = theirs == null ? "failed" : null;
      }
      rows.add(new BenchReport.Row(w.toString(), w.mode().id(), mine, ort, ortNote, theirs, rowTorchNote));
      System.out.println(ResultTable.progressLine(w, mine, theirs) + (ort == null ? "" : String.format(
          java.util.Locale.ROOT, " | ORT %8.1f ms", ort.msMedian())));
    }

    BenchReport.SameFunction same = noOrt ? null : sameFunction(model);
    BenchReport.Tokenizer tokenizer = tokenizer(plan, notes);
    BenchReport.Startup startup = startup(plan, notes);
    BenchReport report = new BenchReport(date, machine, quick, plan.runs(), plan.warmup(), sgemm, rows, same, tokenizer,
        startup, notes, BenchReport.loadAverage());
    BenchTable.print(report, System.out);
    AtomicFiles.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(report));
    System.out.println("\nwrote " + json.toAbsolutePath());
    return 0;
  }

  /** Why ONNX Runtime has no figure for {@code w}, or null when it runs it. */
  String ortNote(Workload w) {
    if (noOrt) {
      return "skipped";
    }
    if (w.mode() == Workload.Mode.TRAIN) {
      return "inference only";
    }
    return w.shape().hasOnnxExport() ? null : "no export";
  }

  /** jbert on the converted folder and ONNX Runtime on the export, one sentence: max |diff| of last_hidden_state. */
  static BenchReport.SameFunction sameFunction(Path modelDir) throws Exception {
    String text = StartupTiming.TEXT;
    Encoding e = BertTokenizer.fromPretrained(modelDir).encode(text);
    Backend.init();
    float[][][] theirs;
    try (OrtPeer ort = OrtPeer.open()) {
      theirs = ort.lastHiddenState(new int[][] {e.inputIds()});
    }
    try (BertModel bert = BertModel.fromPretrained(modelDir, DataType.FLOAT, false)) {
      bert.eval();
      bert.setGradEnabled(false);
      INDArray mine = bert.forward(TokenBatch.of(new int[][] {e.inputIds()}, null, null)).lastHiddenState();
      double max = 0;
      for (int s = 0; s < theirs[0].length; s++) {
        for (int h = 0; h < theirs[0][s].length; h++) {
          max = Math.max(max, Math.abs(mine.getDouble(0, s, h) - theirs[0][s][h]));
        }
      }
      return new BenchReport.SameFunction(text, e.inputIds().length, max);
    }
  }

  private BenchReport.Tokenizer tokenizer(Plan plan, List<String> notes) throws IOException {
    if (!Files.isRegularFile(texts)) {
      notes.add("tokenizer: " + texts + " not found (pass --texts CSV)");
      return null;
    }
    List<String> all = TokenizerThroughput.FirstCsvColumn.read(texts);
    BertTokenizer jbert = BertTokenizer.fromPretrained(model);
    try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder().optTokenizerPath(model).optAddSpecialTokens(true)
        .optTruncation(false).optPadding(false).build()) {
      TokenizerThroughput.Rates rates = TokenizerThroughput.measure(all, jbert, hf, plan.tokenizerPasses(),
          plan.tokenizerPasses());
      return new BenchReport.Tokenizer(texts.getFileName().toString(), "HF tokenizers " + hf.getVersion(), rates);
    }
  }

  private BenchReport.Startup startup(Plan plan, List<String> notes) throws Exception {
    StartupTiming.InProcess inProcess = ChildJvm.run(StartupTiming.class, List.of(model.toString()),
        StartupTiming.InProcess.class);
    if (!Files.isExecutable(launcher) || !Files.isRegularFile(launcher.resolveSibling("../cli/target/jbert.jar"))) {
      String note = "not built (" + launcher + " and cli/target/jbert.jar: mvn package -DskipTests)";
      notes.add("jbert predict start-up: " + note);
      return new BenchReport.Startup(null, List.of(), note, inProcess);
    }
    Path dir = Files.createTempDirectory("jbert-bench-predict");
    try {
      StartupTiming.classifierFrom(model, dir);
      // Untimed: the first run after a build writes bin/jbert's class-data archive (seconds, once per
      // build of the jar), which a --quick run's single timed run would otherwise report as start-up.
      StartupTiming.predictFirstAnswer(launcher, dir);
      List<StartupTiming.Predict> predict = new ArrayList<>();
      for (int i = 0; i < plan.startupRuns(); i++) {
        predict.add(StartupTiming.predictFirstAnswer(launcher, dir));
      }
      return new BenchReport.Startup(model.getFileName() + " + a new 2-label head", predict, null, inProcess);
    } finally {
      AtomicFiles.deleteTree(dir);
    }
  }
}
