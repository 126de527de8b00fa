package dev.jbert.spark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ExampleReader;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.predict.Input;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuning;
import dev.jbert.finetune.train.TrainingListener;
import dev.jbert.spark.JbertClassifier;
import dev.jbert.spark.ModelSharing;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Rows per second of {@link JbertClassifier} in {@code local[2]} beside single-process prediction of
 * the same rows in the same run: the in-process {@code Predictor} (same batch size, chunks of one
 * batch as {@code jbert predict} reads them) and {@code bin/jbert predict} fed the rows as JSON lines.
 *
 * <p>Each measurement runs in a fresh JVM with its own {@code JBERT_THREADS}, because the thread
 * count is read once per JVM; the runs alternate over {@code --rounds} rounds and the median of each
 * is reported. Every measurement first warms up on a slice of the rows (JIT, model copies loaded);
 * the {@code jbert predict} figure is the wall time of the whole command, JVM start and model
 * loading included.
 *
 * <pre>
 * mvn -q -pl spark -am package -DskipTests -Pbench -Dbench.args="--rows 100000"
 * mvn -q -pl spark -am package -DskipTests -Pbench -Dbench.args="--base ../shared/models/all-MiniLM-L6-v2 --rows 10000"
 * </pre>
 */
@Command(name = "SparkThroughput", mixinStandardHelpOptions = true, sortOptions = false,
    description = "JbertClassifier rows/s in local[2] beside single-process prediction of the same rows.")
public final class SparkThroughput implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RESULT = "RESULT ";

  @Option(names = "--model", paramLabel = "DIR", description = "A fine-tuned model; without it --base is fine-tuned briefly on Banking77.")
  Path model;

  @Option(names = "--base", paramLabel = "DIR", defaultValue = "../shared/models/tiny-random-bert",
      description = "The model fine-tuned when --model is not given. Default: ${DEFAULT-VALUE}.")
  Path base;

  @Option(names = "--setup-steps", defaultValue = "20", description = "Fine-tuning steps of --base. Default: ${DEFAULT-VALUE}.")
  int setupSteps;

  @Option(names = "--data", defaultValue = "../shared/data/banking77/test.csv", description = "Messages (CSV with a text column). Default: ${DEFAULT-VALUE}.")
  Path data;

  @Option(names = "--rows", defaultValue = "100000", description = "Rows: the messages repeated in order. Default: ${DEFAULT-VALUE}.")
  int rows;

  @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--partitions", defaultValue = "8", description = "Spark partitions of the rows. Default: ${DEFAULT-VALUE}.")
  int partitions;

  @Option(names = "--master", defaultValue = "local[2]", description = "Default: ${DEFAULT-VALUE}.")
  String master;

  @Option(names = "--runs", split = ",", defaultValue = "predictor@2,per-executor@2,per-task@1,per-task@2,cli@2",
      description = "Measurements as WHAT@JBERT_THREADS; WHAT is predictor, cli, per-task or per-executor (JbertClassifier's"
          + " model sharing). Default: ${DEFAULT-VALUE}.")
  List<String> runs;

  @Option(names = "--rounds", defaultValue = "2", description = "Times each measurement runs, alternating. Default: ${DEFAULT-VALUE}.")
  int rounds;

  @Option(names = "--warmup-rows", defaultValue = "4000", description = "Rows each measurement runs first, untimed. Default: ${DEFAULT-VALUE}.")
  int warmupRows;

  @Option(names = "--work", defaultValue = "runs/spark-bench", description = "Folder for the model and the JSON lines. Default: ${DEFAULT-VALUE}.")
  Path work;

  @Option(names = "--worker", hidden = true, description = "Internal: run one measurement in this JVM.")
  String worker;

  /** Runs the benchmark; {@code --help} lists its options. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new SparkThroughput()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<String> texts = texts();
    if (worker != null) {
      ObjectNode result = worker.equals("predictor") ? predictor(texts) : spark(texts, ModelSharing.of(worker));
      System.out.println(RESULT + result);
      return 0;
    }
    return orchestrate(texts);
  }

  /** The messages of {@code --data} repeated in order to {@code --rows}. */
  private List<String> texts() {
    List<Example> messages = ExampleReader.read(data, ReadOptions.defaults().withoutLabels());
    List<String> out = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      out.add(messages.get(i % messages.size()).text());
    }
    return out;
  }

  private Integer orchestrate(List<String> texts) throws Exception {
    Files.createDirectories(work);
    Path modelDir = model != null ? model : fineTuneBase();
    Path jsonl = work.resolve("rows-" + rows + ".jsonl");
    try (BufferedWriter out = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8)) {
      for (String t : texts) {
        out.write(JSON.createObjectNode().put("text", t).toString());
        out.newLine();
      }
    }
    System.out.printf(Locale.ROOT, "model %s, %d rows (%s repeated), batch %d, %d partitions, %s; %s%n", modelDir, rows,
        data.getFileName(), batchSize, partitions, master, machine());
    Map<String, List<Double>> seconds = new LinkedHashMap<>();
    Map<String, List<Double>> cpuSeconds = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      for (String run : runs) {
        String[] what = run.split("@");
        int threads = Integer.parseInt(what[1]);
        double[] t = what[0].equals("cli") ? cli(modelDir, jsonl, threads) : child(modelDir, what[0], threads);
        seconds.computeIfAbsent(run, k -> new ArrayList<>()).add(t[0]);
        cpuSeconds.computeIfAbsent(run, k -> new ArrayList<>()).add(t[1]);
        System.out.printf(Locale.ROOT, "round %d  %-16s %8.1f s  %8.0f rows/s  %8.1f CPU s  %7.0f rows per CPU s  (load average %s)%n",
            round, run, t[0], rows / t[0], t[1], rows / t[1], loadAverage());
      }
    }
    String reference = runs.get(0);
    double referenceRate = rows / median(seconds.get(reference));
    double referenceCpuRate = rows / median(cpuSeconds.get(reference));
    System.out.printf(Locale.ROOT, "%n| run | JBERT_THREADS | median s | rows/s | vs %s | median CPU s | rows per CPU s | vs %s |%n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|%n", reference, reference);
    for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
      String[] what = e.getKey().split("@");
      double rate = rows / median(e.getValue());
      double cpu = median(cpuSeconds.get(e.getKey()));
      System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.0f | %.1f%% | %.1f | %.0f | %.1f%% |%n", what[0], what[1],
          median(e.getValue()), rate, 100 * rate / referenceRate, cpu, rows / cpu, 100 * (rows / cpu) / referenceCpuRate);
    }
    System.out.printf(Locale.ROOT, "(every run, wall: %s; CPU: %s)%n", seconds, cpuSeconds);
    return 0;
  }

  /** Fine-tunes {@code --base} for a few steps on Banking77's training split, once per work folder. */
  private Path fineTuneBase() throws IOException {
    Path dir = work.resolve(base.getFileName() + "-banking77-" + setupSteps + "steps");
    if (Files.isRegularFile(dir.resolve("config.json"))) {
      return dir;
    }
    Path train = data.resolveSibling("train.csv");
    List<Example> examples = ExampleReader.read(train, ReadOptions.defaults().withLabelColumn("category"));
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).maxSteps(setupSteps).validationSplit(0).maxLength(64).build();
    System.out.printf("fine-tuning %s for %d steps on %s into %s%n", base, setupSteps, train, dir);
    FineTuning.run(base, examples, List.of(), dir, config, TrainingListener.NONE);
    return dir;
  }

  /** Runs one measurement in a fresh JVM with {@code threads} jbert threads; its wall and CPU seconds. */
  private double[] child(Path modelDir, String what, int threads) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), SparkThroughput.class.getName(),
        "--worker", what, "--model", modelDir.toString(), "--data", data.toString(), "--rows", String.valueOf(rows),
        "--batch-size", String.valueOf(batchSize), "--partitions", String.valueOf(partitions), "--master", master,
        "--warmup-rows", String.valueOf(warmupRows)));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    environment(pb, threads);
    Process p = pb.start();
    String result = null;
    List<String> output = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(RESULT)) {
          result = line.substring(RESULT.length());
        } else {
          output.add(line);
        }
      }
    }
    if (p.waitFor() != 0 || result == null) {
      throw new IllegalStateException(what + "@" + threads + " failed (exit " + p.exitValue() + "):\n" + String.join("\n", output));
    }
    var r = JSON.readTree(result);
    return new double[] {r.get("seconds").asDouble(), r.get("cpu").asDouble()};
  }

  /** Wall and CPU seconds of {@code bin/jbert predict} over the JSON lines (JVM start included), output discarded. */
  private double[] cli(Path modelDir, Path jsonl, int threads) throws Exception {
    Path launcher = Path.of("bin", "jbert");
    if (!Files.isRegularFile(Path.of("cli", "target", "jbert.jar"))) {
      throw new IllegalStateException("cli/target/jbert.jar is missing: build it first (mvn -q -B package -DskipTests)");
    }
    ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "predict", "--model", modelDir.toString(), "--batch-size",
        String.valueOf(batchSize), "--top-k", "3")
        .redirectInput(jsonl.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
    environment(pb, threads);
    long start = System.nanoTime();
    Process p = pb.start();
    ProcessHandle handle = p.toHandle(); // bin/jbert execs java: the same process
    Duration[] cpu = {Duration.ZERO};
    while (p.isAlive()) {
      handle.info().totalCpuDuration().ifPresent(d -> cpu[0] = d);
      Thread.sleep(50);
    }
    double s = (System.nanoTime() - start) / 1e9;
    if (p.exitValue() != 0) {
      throw new IllegalStateException("bin/jbert predict exited with " + p.exitValue());
    }
    return new double[] {s, cpu[0].toNanos() / 1e9};
  }

  private static void environment(ProcessBuilder pb, int threads) {
    pb.environment().put("JBERT_THREADS", String.valueOf(threads));
    pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    pb.environment().put("OPENBLAS_THREAD_TIMEOUT", "4");
  }

  /** In this JVM: Predictor over chunks of one batch (as jbert predict reads its input), top 3. */
  private ObjectNode predictor(List<String> texts) throws IOException {
    try (FineTunedModel loaded = FineTunedModel.load(model)) {
      Predictor predictor = Predictor.of(loaded).withTopK(3).withBatchSize(batchSize);
      predictChunks(predictor, texts.subList(0, Math.min(warmupRows, texts.size())));
      Clock start = Clock.now();
      double checksum = predictChunks(predictor, texts);
      return start.since().put("checksum", checksum);
    }
  }

  private double predictChunks(Predictor predictor, List<String> texts) {
    double sum = 0;
    for (int from = 0; from < texts.size(); from += batchSize) {
      List<Input> chunk = texts.subList(from, Math.min(texts.size(), from + batchSize)).stream().map(Input::of).toList();
      for (Prediction p : predictor.classifyInputs(chunk)) {
        sum += p.score();
      }
    }
    return sum;
  }

  /** In this JVM: JbertClassifier over the rows, cached in {@code --partitions} partitions, written to Spark's noop sink. */
  private ObjectNode spark(List<String> texts, ModelSharing sharing) {
    SparkSession spark = SparkSession.builder().master(master).appName("jbert-spark-throughput")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    try {
      JbertClassifier classifier = new JbertClassifier().setModelPath(model.toString()).setBatchSize(batchSize)
          .setTopKCol("top_k").setTopK(3).setModelSharing(sharing);
      Dataset<Row> warm = frame(spark, texts.subList(0, Math.min(warmupRows, texts.size())));
      classifier.transform(warm).write().format("noop").mode("overwrite").save();
      Dataset<Row> all = frame(spark, texts).cache();
      all.count(); // the rows sit in memory before the clock starts, as the other side's list does
      Clock start = Clock.now();
      classifier.transform(all).write().format("noop").mode("overwrite").save();
      return start.since();
    } finally {
      spark.stop();
    }
  }

  /** Wall, CPU, GC and JIT time of this JVM at one moment; {@link #since} gives the seconds of a measurement. */
  private record Clock(long wall, long cpu, long gc, long jit) {

    static Clock now() {
      long gc = ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
      long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
      return new Clock(System.nanoTime(), cpu, gc, ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
    }

    /** Wall and CPU seconds (every thread of the process), GC pause and JIT compile milliseconds since this. */
    ObjectNode since() {
      Clock end = now();
      return JSON.createObjectNode().put("seconds", (end.wall - wall) / 1e9).put("cpu", (end.cpu - cpu) / 1e9)
          .put("gc_ms", end.gc - gc).put("jit_ms", end.jit - jit);
    }
  }

  private Dataset<Row> frame(SparkSession spark, List<String> texts) {
    List<Row> rowList = new ArrayList<>(texts.size());
    for (String t : texts) {
      rowList.add(RowFactory.create(t));
    }
    StructType schema = new StructType().add("text", DataTypes.StringType);
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rowList, partitions), schema);
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String machine() {
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException e) {
      // not Linux: leave it unknown
    }
    return Runtime.getRuntime().availableProcessors() + " cores of " + cpu + ", Java " + System.getProperty("java.version");
  }

  private static String loadAverage() {
    try {
      return Arrays.stream(Files.readString(Path.of("/proc/loadavg")).split(" ")).limit(3).reduce((a, b) -> a + " " + b).orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }
}
