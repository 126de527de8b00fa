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

/**
 * {@code jbert train --ood-detector}, then {@code eval} and {@code predict} by the saved detector,
 * on a tiny random BERT ("refund" plays the out-of-scope class).
 */
class OutOfScopeCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private static Path eval;
  private static Path out;
  private static CliRun trained;

  @BeforeAll
  static void train() throws Exception {
    Path train = Tickets.csv(tmp.resolve("train.csv"), 60, 1);
    eval = Tickets.csv(tmp.resolve("eval.csv"), 20, 2);
    out = tmp.resolve("model");
    trained = CliRun.run("train", "--model", CliRun.model("tiny-random-bert-large-init").toString(), "--train", train.toString(),
        "--eval", eval.toString(), "--task", "intent", "--output", out.toString(), "--epochs", "4", "--lr", "1e-2",
        "--batch-size", "16", "--oos-label", "refund", "--ood-detector", "knn", "--knn-k", "5", "--in-scope-recall", "0.9");
  }

  @Test
  void trainPrintsCalibrationAndTheDetectorTable() throws Exception {
    assertEquals(0, trained.exitCode(), trained.err());
    String printed = String.join("\n", trained.out());
    assertTrue(printed.matches("(?s).*calibration: temperature \\d+\\.\\d{3} \\(fitted on [^)]*\\), ECE .*"), printed);
    assertTrue(printed.matches("(?s).*answered alone at confidence >= level, on the eval messages \\(share answered, accuracy\\):  0\\.50: (none|\\d+\\.\\d%, \\d+\\.\\d%)"
        + "  0\\.80: .*  0\\.99: .*"), printed);
    for (String detector : List.of("softmax", "energy", "mahalanobis", "knn")) {
      assertTrue(trained.out().stream().anyMatch(l -> l.trim().startsWith(detector + " ")), detector + " in\n" + printed);
    }
    assertTrue(printed.contains("hand-off by knn (requested)"), printed);
    for (String file : List.of("ood_detectors.safetensors", "reliability_diagram.png", "confusion_matrix.png")) {
      assertTrue(Files.isRegularFile(out.resolve(file)), file);
    }
    JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
    SnakeCase.assertKeys(metrics, "metrics.json");
    assertEquals(0.9, metrics.get("out_of_scope_detection").get("in_scope_recall_target").asDouble(), 0);
  }

  /** Without held-out messages the figures are on the training messages, and the line says so. */
  @Test
  void withoutHeldOutMessagesTheSelectiveAccuracyLineSaysItIsOnTheTrainingMessages() throws Exception {
    CliRun run = CliRun.run("train", "--model", CliRun.model("tiny-random-bert-large-init").toString(), "--train",
        Tickets.csv(tmp.resolve("train-only.csv"), 10, 1).toString(), "--task", "intent", "--output",
        tmp.resolve("train-only").toString(), "--max-steps", "2", "--batch-size", "8", "--validation-split", "0");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().stream().anyMatch(l -> l.startsWith(
        "answered alone at confidence >= level, on the train messages it learnt (optimistic) (share answered, accuracy):")),
        String.join("\n", run.out()));
  }

  @Test
  void evalReportsEverySavedDetectorAndHandsOffByTheChosenOne() throws Exception {
    CliRun run = CliRun.run("eval", "--model", out.toString(), "--data", eval.toString(), "--oos-label", "refund");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode metrics = JSON.readTree(String.join("\n", run.out()));
    SnakeCase.assertKeys(metrics, "jbert eval");
    assertEquals("knn", metrics.get("handoff").get("detector").asText());
    assertEquals("knn", metrics.get("out_of_scope_detection").get("chosen").asText());
    assertEquals(4, metrics.get("out_of_scope_detection").get("detectors").size());
    assertTrue(metrics.get("calibration").has("ece_before_calibration"));
    // same data as training's evaluation: the same out-of-scope figures as metrics.json
    JsonNode saved = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals(saved.get("out_of_scope").get("out_of_scope_recall").asDouble(),
        metrics.get("out_of_scope").get("out_of_scope_recall").asDouble(), 0);
    assertEquals(saved.get("calibration").get("selective_accuracy"), metrics.get("calibration").get("selective_accuracy"),
        "answered alone at each confidence, at the saved temperature");
    assertEquals(saved.get("out_of_scope").get("in_scope_accuracy").asDouble(),
        metrics.get("out_of_scope").get("in_scope_accuracy").asDouble(), 0);
  }

  @Test
  void predictHandsOffByTheSavedDetectorAndAnotherOnRequest() throws Exception {
    List<String> texts = Files.readAllLines(eval).subList(1, 81);
    StringBuilder stdin = new StringBuilder();
    for (String row : texts) {
      stdin.append(JSON.createObjectNode().put("text", row.substring(0, row.indexOf(',')))).append('\n');
    }
    CliRun saved = CliRun.withStdin(stdin.toString(), "predict", "--model", out.toString());
    assertEquals(0, saved.exitCode(), saved.err());
    long handedOff = saved.out().stream().filter(l -> l.contains("\"handed_off\":true")).count();
    // the eval messages' in-scope recall at the knn threshold says how many in-scope ones are kept; refund ones mostly go
    JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
    JsonNode knnRow = null;
    for (JsonNode d : metrics.get("out_of_scope_detection").get("detectors")) {
      if (d.get("detector").asText().equals("knn")) {
        knnRow = d;
      }
    }
    assertTrue(knnRow != null);
    long keptByMetrics = Math.round(knnRow.get("in_scope_recall").asDouble() * 60);
    long keptInScope = 0;
    for (int i = 0; i < texts.size(); i++) {
      JsonNode answer = JSON.readTree(saved.out().get(i));
      boolean inScope = !texts.get(i).endsWith(",refund");
      if (inScope && !answer.get("handed_off").asBoolean() && !answer.get("label").asText().equals("refund")) {
        keptInScope++;
      }
    }
    assertEquals(keptByMetrics, keptInScope, "predict keeps the in-scope messages the knn threshold kept in training");
    CliRun evaluated = CliRun.run("eval", "--model", out.toString(), "--data", eval.toString());
    double coverage = JSON.readTree(String.join("\n", evaluated.out())).get("handoff").get("coverage").asDouble();
    assertEquals(Math.round((1 - coverage) * 80), handedOff, "predict hands off what eval's knn hand-off does");
    CliRun energy = CliRun.withStdin(stdin.toString(), "predict", "--model", out.toString(), "--ood-detector", "energy");
    assertEquals(0, energy.exitCode(), energy.err());
    CliRun none = CliRun.withStdin("{\"text\": \"my card\"}\n", "predict", "--model", out.toString(), "--ood-detector", "nope");
    assertEquals(2, none.exitCode());
    assertTrue(none.err().contains("unknown out-of-scope detector 'nope'"), none.err());
  }
}
