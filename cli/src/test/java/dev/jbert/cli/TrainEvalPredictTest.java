package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbert train}, then {@code eval} and {@code predict} on what it saved, in-process on a tiny random BERT. */
class TrainEvalPredictTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private static Path train;
  private static Path eval;
  private static Path out;
  private static CliRun trained;

  @BeforeAll
  static void train() throws Exception {
    train = Tickets.csv(tmp.resolve("train.csv"), 60, 1);
    eval = Tickets.csv(tmp.resolve("eval.csv"), 20, 2);
    out = tmp.resolve("model");
    trained = CliRun.run("train", "--model", CliRun.model("tiny-random-bert-large-init").toString(), "--train", train.toString(),
        "--eval", eval.toString(), "--task", "intent", "--output", out.toString(), "--epochs", "8", "--lr", "1e-2",
        "--batch-size", "16", "--logging-steps", "10", "--handoff-precision", "0.99");
  }

  @Test
  void trainWritesTheModelAndPlainProgressLines() throws Exception {
    assertEquals(0, trained.exitCode(), trained.err());
    for (String file : List.of("config.json", "model.safetensors", "vocab.txt", "metrics.json", "training_log.jsonl",
        "learning_curve.png", "confusion_matrix.png", "checkpoint/trainer_state.json")) {
      assertTrue(Files.isRegularFile(out.resolve(file)), file);
    }
    // stdout is not a terminal here: one plain line per log entry, with loss, lr, speed and ETA.
    assertTrue(trained.out().stream().anyMatch(l -> l.matches("step 10 epoch 0\\.67 loss \\d+\\.\\d{4} lr \\S+ \\d+\\.\\d seq/s eta \\S+")),
        String.join("\n", trained.out()));
    assertTrue(trained.out().stream().anyMatch(l -> l.startsWith("epoch 8.00 step 120 eval loss ")), String.join("\n", trained.out()));
    assertTrue(trained.out().contains("saved the fine-tuned model to " + out));
  }

  @Test
  void evalPrintsTheMetricsOfTheSavedModel() throws Exception {
    CliRun run = CliRun.run("eval", "--model", out.toString(), "--data", eval.toString(), "--oos-label", "refund");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode metrics = JSON.readTree(String.join("\n", run.out()));
    JsonNode saved = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals(saved.get("classification").get("accuracy").asDouble(), metrics.get("classification").get("accuracy").asDouble(), 0.0);
    assertTrue(metrics.get("classification").get("accuracy").asDouble() > 0.9, String.join("\n", trained.out()));
    assertEquals(80, metrics.get("examples").asInt());
    assertEquals(saved.get("handoff").get("threshold").asDouble(), metrics.get("handoff").get("threshold").asDouble(), 0.0);
    assertTrue(metrics.get("out_of_scope").has("out_of_scope_recall"));
    assertTrue(run.err().matches("eval: accuracy \\d\\.\\d{4} macro_f1 \\d\\.\\d{4} n 80\\R"), "one-line summary: " + run.err());
  }

  @Test
  void everyFileAndOutputUsesSnakeCaseKeys() throws Exception {
    SnakeCase.assertKeys(JSON.readTree(out.resolve("metrics.json").toFile()), "metrics.json");
    for (String line : Files.readAllLines(out.resolve("training_log.jsonl"))) {
      SnakeCase.assertKeys(JSON.readTree(line), "training_log.jsonl");
    }
    CliRun evaluated = CliRun.run("eval", "--model", out.toString(), "--data", eval.toString(), "--oos-label", "refund");
    SnakeCase.assertKeys(JSON.readTree(String.join("\n", evaluated.out())), "jbert eval");
    CliRun predict = CliRun.withStdin("{\"text\": \"my card\"}\n", "predict", "--model", out.toString(), "--threshold", "0.5");
    SnakeCase.assertKeys(JSON.readTree(predict.out().get(0)), "jbert predict");
    assertTrue(JSON.readTree(predict.out().get(0)).has("handed_off"));
  }

  @Test
  void metricTakesTheNamesTheFilesUse() throws Exception {
    CliRun camel = CliRun.run("train", "--model", CliRun.model("tiny-random-bert").toString(), "--train", train.toString(),
        "--task", "intent", "--output", tmp.resolve("camel").toString(), "--metric", "macroF1");
    assertEquals(2, camel.exitCode());
    assertTrue(camel.err().contains("metric 'macroF1' is not one of [loss, accuracy, macro_f1]"), camel.err());
  }

  @Test
  void predictAnswersEachLineInOrder() throws Exception {
    List<String> rows = Files.readAllLines(eval).subList(1, 81);
    StringBuilder in = new StringBuilder();
    for (String row : rows) {
      in.append(JSON.createObjectNode().put("text", row.substring(0, row.indexOf(',')))).append('\n');
    }
    CliRun run = CliRun.withStdin(in.toString(), "predict", "--model", out.toString(), "--top-k", "2", "--threshold", "0");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(80, run.out().size());
    int right = 0;
    for (int i = 0; i < rows.size(); i++) {
      JsonNode p = JSON.readTree(run.out().get(i));
      assertEquals(2, p.get("top_k").size());
      assertEquals(p.get("label").asText(), p.get("top_k").get(0).get("label").asText());
      assertEquals(p.get("score").asDouble(), p.get("top_k").get(0).get("score").asDouble(), 0.0);
      assertEquals(false, p.get("handed_off").asBoolean());
      right += rows.get(i).endsWith("," + p.get("label").asText()) ? 1 : 0;
    }
    JsonNode saved = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals(saved.get("classification").get("accuracy").asDouble(), right / 80.0, 1e-12, "predict agrees with eval");
  }

  @Test
  void predictHandsOffBelowTheThreshold() throws Exception {
    CliRun run = CliRun.withStdin("{\"text\": \"my card was stolen\"}\n\n{\"text\": \"hello\"}\n", "predict", "--model",
        out.toString(), "--threshold", "1", "--handoff-label", "转人工");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(3, run.out().size(), "one output line per input line");
    assertEquals("", run.out().get(1), "a blank line is answered by an empty line");
    for (String line : List.of(run.out().get(0), run.out().get(2))) {
      JsonNode p = JSON.readTree(line);
      assertEquals("转人工", p.get("label").asText());
      assertTrue(p.get("handed_off").asBoolean());
    }
  }
}
