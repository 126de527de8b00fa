package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    assertEquals("reply", settings.get("pair_column").asText());
    assertEquals("turns", settings.get("context_column").asText());

    // The columns were saved with the model: eval and predict read them without being told again.
    CliRun eval = CliRun.run("eval", "--model", tmp.resolve("out").toString(), "--data", data.toString());
    assertEquals(0, eval.exitCode(), eval.err());
    assertEquals(4, JSON.readTree(String.join("\n", eval.out())).get("examples").asInt());
    CliRun sameLayout = CliRun.withStdin("{\"text\": \"where is my card\", \"reply\": \"it was sent\", \"turns\": [\"hi\"]}\n",
        "predict", "--model", tmp.resolve("out").toString());
    assertEquals(0, sameLayout.exitCode(), sameLayout.err());
    assertEquals(p.get("score").asDouble(), JSON.readTree(sameLayout.out().get(0)).get("score").asDouble(), 1e-6,
        "the training file's field names mean the same as text_pair and context");
  }

  @Test
  void aPairModelRefusesAMessageWithoutItsReply() throws Exception {
    Path data = Files.writeString(tmp.resolve("pairs.csv"), """
        question,answer,label
        where is my package,it arrived late,appropriate
        my card was stolen,please reset your password,inappropriate
        """);
    CliRun run = train("tiny-random-bert", data, "pair", "--text-column", "question", "--pair-column", "answer");
    assertEquals(0, run.exitCode(), run.err());
    String lines = "{\"question\": \"where is my card\"}\n{\"text\": \"where is my card\", \"text_pair\": \"it was sent\"}\n";
    CliRun fail = CliRun.withStdin(lines, "predict", "--model", tmp.resolve("out").toString());
    assertEquals(2, fail.exitCode());
    assertTrue(fail.err().startsWith("jbert: stdin:1: this model matches (message, reply) pairs and the message has no "
        + "candidate reply"), fail.err());
    CliRun skip = CliRun.withStdin(lines, "predict", "--model", tmp.resolve("out").toString(), "--on-error", "skip");
    assertEquals(0, skip.exitCode(), skip.err());
    assertEquals(2, skip.out().size());
    assertTrue(JSON.readTree(skip.out().get(0)).get("error").asText().startsWith("stdin:1: this model matches"), skip.out().get(0));
    assertTrue(JSON.readTree(skip.out().get(1)).has("label"), skip.out().get(1));
  }

  @Test
  void regressionPredictsAScore() throws Exception {
    Path data = Files.writeString(tmp.resolve("scores.csv"), "review,stars\nlate again,1\nhelp was fast,5\nok,3\nwrong item,2\n");
    CliRun run = train("tiny-random-bert-regression", data, "regression", "--text-column", "review", "--label-column", "stars");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode metrics = JSON.readTree(tmp.resolve("out/metrics.json").toFile());
    assertTrue(metrics.get("regression").has("spearman"));
    assertFalse(Files.exists(tmp.resolve("out/confusion_matrix.png")));

    // {"review": ...}, the training column, reads as {"text": ...}
    CliRun predict = CliRun.withStdin("{\"text\": \"late\"}\n{\"review\": \"fast\"}\n", "predict", "--model", tmp.resolve("out").toString());
    assertEquals(0, predict.exitCode(), predict.err());
    assertEquals(2, predict.out().size());
    for (String line : predict.out()) {
      JsonNode p = JSON.readTree(line);
      assertTrue(p.get("score").isDouble());
      assertEquals(2, p.size(), line + ": the input field and the score");
    }

    for (String[] labelsOnly : List.of(new String[] {"--top-k", "2"}, new String[] {"--threshold", "0.5"},
        new String[] {"--handoff-label", "agent"})) {
      String[] args = {"predict", "--model", tmp.resolve("out").toString(), labelsOnly[0], labelsOnly[1]};
      CliRun refused = CliRun.withStdin("{\"text\": \"late\"}\n", args);
      assertEquals(2, refused.exitCode(), labelsOnly[0]);
      assertTrue(refused.err().contains("this regression model gives one score per message"), refused.err());
      assertTrue(refused.out().isEmpty());
    }
    CliRun eval = CliRun.run("eval", "--model", tmp.resolve("out").toString(), "--data", data.toString());
    assertEquals(0, eval.exitCode(), "the text and score columns were saved with the model: " + eval.err());
    assertTrue(eval.err().matches("eval: mse \\S+ pearson \\S+ spearman \\S+ n 4\\R"), eval.err());
    assertEquals(2, CliRun.run("eval", "--model", tmp.resolve("out").toString(), "--data", data.toString(), "--threshold", "0.5")
        .exitCode());
  }
}
