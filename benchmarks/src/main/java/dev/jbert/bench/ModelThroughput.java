package dev.jbert.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Training-step and inference throughput of jbert beside the PyTorch peer, in the same run, at the
 * MiniLM-L6 and bert-base shapes: sequences per second, the ratio to torch, achieved GFLOP/s (FLOPs
 * counted as in {@code ../shared/peers/README.md}) and peak resident memory, plus the time of each
 * training phase. Random weights and token ids, float, 2 threads; warm-up calls, then the median of
 * the timed runs. Each jbert workload runs in a fresh JVM (as each torch one runs in a fresh
 * process), so that its peak RSS is its own; torch runs right after it, so machine noise hits both.
 *
 * <p>Run from the project root (one command: builds what is needed, then starts the benchmark in
 * its own JVM with 2 threads and {@code OMP_WAIT_POLICY=PASSIVE}; see the {@code bench} profile of
 * {@code benchmarks/pom.xml}):
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests -Pbench -Dbench.args="--config minilm --mode train,infer --shape 32x64"
 * mvn -q -pl benchmarks -am package -DskipTests -Pbench -Dbench.args="--config minilm,base"          # every shape
 * mvn -q -pl benchmarks -am package -DskipTests -Pbench -Dbench.args="--memory-steps 100 --mode none"
 * </pre>
 *
 * Options: {@code --config minilm,base} (default minilm), {@code --mode train,infer} (default both;
 * {@code none} for only the memory run), {@code --shape 32x64,...} (default the peers' shapes:
 * 32x64, 16x128 and, for inference, 1x32), {@code --runs N} (5), {@code --warmup N} (2),
 * {@code --no-torch}, {@code --peers DIR} (default {@code ../shared/peers}), {@code --in-process}
 * (no fresh JVM per workload: faster, but peak RSS then accumulates), {@code --memory-steps N}
 * (after the table, train MiniLM for N steps at the first shape and report memory at step 10, every
 * fifth of the run and step N).
 */
@Command(name = "model-throughput", mixinStandardHelpOptions = true,
    description = "jbert vs PyTorch: training-step and inference throughput at the MiniLM and bert-base shapes.")
public final class ModelThroughput implements Callable<Integer> {

  @Option(names = "--config", split = ",", defaultValue = "minilm", description = "minilm, base (comma-separated).")
  List<String> configs;

  @Option(names = "--mode", split = ",", defaultValue = "train,infer", description = "train, infer, none.")
  List<String> modes;

  @Option(names = "--shape", split = ",", description = "BATCHxSEQ, e.g. 32x64 (default: the peers' shapes).")
  List<String> shapes;

  @Option(names = "--runs", defaultValue = "5", description = "Timed runs per workload (median reported).")
  int runs;

  @Option(names = "--warmup", defaultValue = "2", description = "Untimed calls first.")
  int warmup;

  @Option(names = "--no-torch", description = "Skip the PyTorch peer.")
  boolean noTorch;

  @Option(names = "--peers", defaultValue = "../shared/peers", description = "Folder of run_torch.sh.")
  Path peers;

  @Option(names = "--in-process", description = "Time jbert in this JVM instead of a fresh one per workload.")
  boolean inProcess;

  @Option(names = "--memory-steps", defaultValue = "0", description = "Steps of the MiniLM memory run (0: none).")
  int memorySteps;

  @Option(names = "--worker", hidden = true, description = "Time one workload (config mode BxS) and print it as JSON.")
  boolean worker;

  @Option(names = ChildJvm.ON_REQUEST, hidden = true, description = "As a worker, time a run per request on stdin.")
  boolean onRequest;

  @Option(names = "--memory-worker", hidden = true, description = "Run the memory report in this JVM.")
  boolean memoryWorker;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ModelThroughput()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (worker) {
      Workload w = workloads().get(0);
      ChildJvm.printResult(JbertTiming.measure(w, warmup, runs, onRequest));
      return 0;
    }
    if (memoryWorker) {
      MemoryOverSteps.run(memoryWorkload(), memorySteps);
      return 0;
    }
    System.out.println(Machine.describe());
    Optional<TorchPeer> torch = noTorch ? Optional.empty() : TorchPeer.find(peers);
    ResultTable table = new ResultTable();
    for (Workload w : workloads()) {
      Measurement mine = inProcess ? JbertTiming.measure(w, warmup, runs) : inFreshJvm(w);
      Measurement theirs = torch.isPresent() ? torch.get().measure(w, runs).orElse(null) : null;
      table.add(w, mine, theirs);
      System.out.println(ResultTable.progressLine(w, mine, theirs));
    }
    if (!table.isEmpty()) {
      table.print(System.out);
    }
    if (memorySteps > 0) {
      runMemoryReport();
    }
    System.out.println("load average at the end: " + Machine.loadAverage());
    return 0;
  }

  /** Every (config, mode, shape) asked for, in that nesting order. */
  private List<Workload> workloads() {
    List<Workload> out = new ArrayList<>();
    for (String config : configs) {
      for (String mode : modes) {
        if (mode.equals("none")) {
          continue;
        }
        Workload.Mode m = Workload.Mode.byId(mode);
        List<String> sizes = shapes != null ? shapes
            : m == Workload.Mode.TRAIN ? List.of("32x64", "16x128") : List.of("32x64", "16x128", "1x32");
        for (String size : sizes) {
          String[] bs = size.toLowerCase(Locale.ROOT).split("x");
          if (bs.length != 2) {
            throw new IllegalArgumentException("--shape wants BATCHxSEQ, e.g. 32x64, got '" + size + "'");
          }
          out.add(new Workload(ModelShape.byId(config), m, Integer.parseInt(bs[0]), Integer.parseInt(bs[1])));
        }
      }
    }
    if (out.isEmpty() && (worker || memorySteps == 0)) {
      throw new IllegalArgumentException("nothing to run: give --mode train and/or infer, or --memory-steps N");
    }
    return out;
  }

  /** MiniLM training at the first --shape (default 32x64). */
  private Workload memoryWorkload() {
    String size = shapes == null ? "32x64" : shapes.get(0);
    String[] bs = size.split("x");
    return new Workload(ModelShape.MINILM, Workload.Mode.TRAIN, Integer.parseInt(bs[0]), Integer.parseInt(bs[1]));
  }

  /** Times {@code w} with this class's --worker in a new JVM with this JVM's options and class path. */
  private Measurement inFreshJvm(Workload w) throws IOException, InterruptedException {
    return ChildJvm.run(ModelThroughput.class, workerArgs(w, runs, warmup), Measurement.class);
  }

  /** The arguments of {@code ModelThroughput --worker} that time {@code w}. */
  static List<String> workerArgs(Workload w, int runs, int warmup) {
    return List.of("--worker", "--config", w.shape().id(), "--mode", w.mode().id(), "--shape", w.batch() + "x" + w.seq(),
        "--runs", Integer.toString(runs), "--warmup", Integer.toString(warmup));
  }

  private void runMemoryReport() throws IOException, InterruptedException {
    Workload w = memoryWorkload();
    System.out.println("\nMemory over " + memorySteps + " training steps, " + w + ":");
    if (inProcess) {
      MemoryOverSteps.run(w, memorySteps);
      return;
    }
    List<String> command = javaCommand();
    command.addAll(List.of("--memory-worker", "--memory-steps", Integer.toString(memorySteps), "--shape",
        w.batch() + "x" + w.seq()));
    int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException("memory worker failed (exit " + exit + ")");
    }
  }

  /** {@code java <this JVM's options> -cp <this class path> dev.jbert.bench.ModelThroughput}. */
  private static List<String> javaCommand() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ModelThroughput.class.getName()));
    return command;
  }

  /** Facts that make timings comparable: cores, threads, load, JVM. */
  static final class Machine {
    private Machine() {}

    static String describe() {
      return String.format(Locale.ROOT,
          "machine: %d cores, JBERT_THREADS=%s, OMP_WAIT_POLICY=%s, Java %s, load average %s",
          Runtime.getRuntime().availableProcessors(), System.getenv("JBERT_THREADS"), System.getenv("OMP_WAIT_POLICY"),
          System.getProperty("java.version"), loadAverage());
    }

    static String loadAverage() {
      try {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return parts[0] + " " + parts[1] + " " + parts[2];
      } catch (IOException e) {
        return "unknown";
      }
    }
  }
}
