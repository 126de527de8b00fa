package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbert train --recipe few-shot --shots-per-label K}: the sample, the contrastive stage, the
 * recipe's classifier defaults, and a folder that {@code eval} and {@code predict} load unchanged
 * (plumbing on the tiny model; the learning is {@code FewShotTrainingTest}'s).
 */
class FewShotCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void fewShotRecipeTrainsOnKPerLabelAndLeavesALoadableFolder() throws Exception {
    Path data = Tickets.csv(tmp.resolve("tickets.csv"), 12, 3);     // 4 intents x 12
    Path out = tmp.resolve("out");
    CliRun train = CliRun.run("train", "--model", CliRun.model("tiny-random-bert").toString(), "--train", data.toString(),
        "--task", "intent", "--output", out.toString(), "--recipe", "few-shot", "--shots-per-label", "3", "--seed", "5",
        "--contrastive-rounds", "2", "--contrastive-batch-size", "4", "--batch-size", "4");
    assertEquals(0, train.exitCode(), train.err());
    String printed = String.join("\n", train.out());
    // 3 per label x 4 labels = 12 examples; 2 rounds x 12 x 2 = 48 pairs in 12 steps of 4
    assertTrue(printed.contains("contrastive stage: 48 pairs of 12 examples, 1 epoch(s) x 12 steps of 4 pairs"), printed);
    JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
    assertEquals("normalized_mean", config.get("classifier_pooling").asText());
    JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals("train", metrics.get("split").asText(), "the recipe holds nothing out by default");
    assertEquals(12, metrics.get("examples").asInt());
    assertEquals(3, metrics.get("training").get("steps").asInt(), "the recipe's one classifier epoch: 12 / 4");

    CliRun eval = CliRun.run("eval", "--model", out.toString(), "--data", data.toString());
    assertEquals(0, eval.exitCode(), eval.err());
    assertEquals(48, JSON.readTree(String.join("\n", eval.out())).get("examples").asInt());
    CliRun predict = CliRun.withStdin("{\"text\": \"where is my parcel\"}\n", "predict", "--model", out.toString());
    assertEquals(0, predict.exitCode(), predict.err());
    assertTrue(Tickets.INTENTS.contains(JSON.readTree(predict.out().get(0)).get("label").asText()));
  }

  @Test
  void unlabelledMessagesSelfTrainAStudent() throws Exception {
    Path data = Tickets.csv(tmp.resolve("tickets.csv"), 12, 3);     // 4 intents x 12; the labels of --unlabelled are ignored
    Path out = tmp.resolve("out");
    CliRun train = CliRun.run("train", "--model", CliRun.model("tiny-random-bert").toString(), "--train", data.toString(),
        "--task", "intent", "--output", out.toString(), "--recipe", "few-shot", "--shots-per-label", "3", "--seed", "5",
        "--contrastive-rounds", "2", "--contrastive-batch-size", "4", "--batch-size", "4", "--unlabelled", data.toString(),
        "--pseudo-label-threshold", "0.01", "--student-epochs", "1", "--student-lr", "1e-4");
    assertEquals(0, train.exitCode(), train.err());
    String printed = String.join("\n", train.out());
    // every message clears 0.01; the 12 labelled texts keep their own labels, the other 36 join them
    assertTrue(printed.contains("self-training round 1 of 1: 36 of 48 unlabelled messages labelled by the teacher at >= 0.01"
        + " join the 12 labelled ones"), printed);
    JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals(48, metrics.get("examples").asInt());
    assertEquals(12, metrics.get("training").get("steps").asInt(), "the student's one epoch: 48 / 4");
  }

  @Test
  void unlabelledMessagesNeedTheFewShotRecipe() throws Exception {
    Path data = Tickets.csv(tmp.resolve("tickets.csv"), 12, 3);
    CliRun train = CliRun.run("train", "--model", CliRun.model("tiny-random-bert").toString(), "--train", data.toString(),
        "--task", "intent", "--output", tmp.resolve("out").toString(), "--unlabelled", data.toString());
    assertEquals(2, train.exitCode());
    assertTrue(train.err().contains("--unlabelled is the self-training of --recipe few-shot"), train.err());
  }
}
