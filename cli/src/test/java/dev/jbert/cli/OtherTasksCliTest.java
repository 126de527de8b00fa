package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pair, multi-turn and regression tasks through {@code train} and {@code predict} (two steps each: plumbing, not learning). */
class OtherTasksCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private CliRun train(String model, Path data, String task, String... more) {
    String[] base = {"train", "--model", CliRun.model(model).toString(), "--train", data.toString(), "--task", task,
        "--output", tmp.resolve("out").toString(), "--max-steps", "2", "--batch-size", "4", "--validation-split", "0"};
    String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return CliRun.run(args);
  }

  @Test
  void pairWithContextFromJsonLines() throws Exception {
    Path data = Files.writeString(tmp.resolve("pairs.jsonl"), """
        {"text": "where is my package", "reply": "it arrived late", "turns": ["hello"], "label": "appropriate"}
        {"text": "my card was stolen", "reply": "please reset your password", "turns": [], "label": "inappropriate"}
        {"text": "refund please", "reply": "your money is on the way", "label": "appropriate"}
        {"text": "i lost my card", "reply": "the package is late", "turns": ["hi", "help"], "label": "inappropriate"}
        """);
    CliRun run = train("tiny-random-bert", data, "pair", "--pair-column", "reply", "--context-column", "turns");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode settings = JSON.readTree(tmp.resolve("out/config.json").toFile()).get("jbert");
    assertEquals("pair", settings.get("task").asText());
    assertTrue(settings.get("context_segment").asBoolean());

    CliRun predict = CliRun.withStdin("{\"text\": \"where is my card\", \"text_pair\": \"it was sent\", \"context\": [\"hi\"]}\n",
        "predict", "--model", tmp.resolve("out").toString(), "--top-k", "5");
    assertEquals(0, predict.exitCode(), predict.err());
    JsonNode p = JSON.readTree(predict.out().get(0));
    assertEquals(2, p.get("top_k").size(), "top-k is capped at the number of labels");
    assertFalse(p.has("handed_off"), "no threshold, no hand-off field");

    CliRun withoutTurns = CliRun.run("eval", "--model", tmp.resolve("out").toString(), "--data", data.toString(),
        "--pair-column", "reply");
    assertEquals(2, withoutTurns.exitCode());
    assertTrue(withoutTurns.err().contains("pass --context-column NAME"), withoutTurns.err());
    CliRun eval = CliRun.run("eval", "--model", tmp.resolve("out").toString(), "--data", data.toString(),
        "--pair-column", "reply", "--context-column", "turns");
    assertEquals(0, eval.exitCode(), eval.err());
  }

  @Test
  void regressionPredictsAScore() throws Exception {
    Path data = Files.writeString(tmp.resolve("scores.csv"), "review,stars\nlate again,1\nhelp was fast,5\nok,3\nwrong item,2\n");
    CliRun run = train("tiny-random-bert-regression", data, "regression", "--text-column", "review", "--label-column", "stars");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode metrics = JSON.readTree(tmp.resolve("out/metrics.json").toFile());
    assertTrue(metrics.get("regression").has("spearman"));
    assertFalse(Files.exists(tmp.resolve("out/confusion_matrix.png")));

    CliRun predict = CliRun.withStdin("{\"text\": \"late\"}\n{\"text\": \"fast\"}\n", "predict", "--model", tmp.resolve("out").toString());
    assertEquals(0, predict.exitCode(), predict.err());
    assertEquals(2, predict.out().size());
    for (String line : predict.out()) {
      JsonNode p = JSON.readTree(line);
      assertTrue(p.get("score").isDouble());
      assertEquals(1, p.size(), line);
    }
  }
}
