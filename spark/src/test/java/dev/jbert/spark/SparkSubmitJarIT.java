package dev.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit jar ({@code jbert-spark-VERSION-all.jar}) run by Spark's own launcher
 * ({@code org.apache.spark.deploy.SparkSubmit}, what {@code spark-submit} runs) with only Spark's
 * jars on the classpath: the jar must bring everything jbert needs and nothing that breaks Spark.
 */
class SparkSubmitJarIT {

  @TempDir Path tmp;

  /** The provided-scope jars: on the compile classpath and not on the runtime one. */
  private static String sparkClasspath() throws IOException {
    List<String> compile = List.of(read("jbert.classpath.compile").split(java.io.File.pathSeparator));
    Set<String> runtime = new HashSet<>(Arrays.asList(read("jbert.classpath.runtime").split(java.io.File.pathSeparator)));
    List<String> spark = compile.stream().filter(p -> !runtime.contains(p)).toList();
    assertTrue(spark.stream().anyMatch(p -> p.contains("spark-core_2.13")), "Spark is on the provided classpath");
    assertTrue(spark.stream().noneMatch(p -> p.contains("nd4j")), "no jbert dependency among Spark's jars");
    return String.join(java.io.File.pathSeparator, spark);
  }

  private static String read(String property) throws IOException {
    return Files.readString(Path.of(System.getProperty(property))).trim();
  }

  @Test
  void theExampleRunsFromTheJarUnderSparkSubmit() throws Exception {
    Path jar = Path.of(System.getProperty("jbert.spark.jar"));
    assertTrue(Files.isRegularFile(jar), "built by the package phase: " + jar);
    List<String> texts = TestModels.banking77Texts(40);
    Path csv = tmp.resolve("tickets.csv");
    List<String> lines = new ArrayList<>(List.of("ticket_id,message"));
    for (int i = 0; i < texts.size(); i++) {
      lines.add(i + ",\"" + texts.get(i).replace("\"", "\"\"") + "\"");
    }
    Files.write(csv, lines, StandardCharsets.UTF_8);
    Path output = tmp.resolve("labelled.parquet");

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.addAll(Arrays.asList(System.getProperty("jbert.spark.java.options").trim().split("\\s+")));
    command.addAll(List.of("-cp", sparkClasspath(), "org.apache.spark.deploy.SparkSubmit", "--master", "local[2]",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        "--class", "dev.jbert.spark.example.LabelTickets", jar.toString(),
        "--model", TestModels.intent().toString(), "--input", csv.toString(), "--text-column", "message",
        "--output", output.toString()));
    Path log = tmp.resolve("spark-submit.log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("JBERT_THREADS", "1");
    Process p = pb.start();
    boolean done = p.waitFor(180, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertTrue(done && p.exitValue() == 0, "spark-submit failed:\n" + out);
    assertTrue(out.contains("40 tickets labelled"), out);

    List<Row> rows = SparkTests.spark().read().parquet(output.toString()).collectAsList();
    assertEquals(40, rows.size());
    try (FineTunedModel model = FineTunedModel.load(TestModels.intent())) {
      Predictor predictor = Predictor.of(model);
      for (Row row : rows) {
        Prediction expected = predictor.classify(row.<String>getAs("message"));
        assertEquals(expected.label(), row.getAs("intent"), row.toString());
        assertEquals(expected.score(), (double) row.getAs("confidence"), 1e-5, row.toString());
      }
    }
  }
}
