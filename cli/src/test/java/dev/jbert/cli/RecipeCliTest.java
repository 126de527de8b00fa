package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbert train --recipe intent}: the recipe's settings, overridden by the options given beside it. */
class RecipeCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void intentRecipeSetsItsValuesAndOptionsBesideItWin() throws Exception {
    Path data = Tickets.csv(tmp.resolve("tickets.csv"), 12, 3);     // 4 intents x 12
    Path out = tmp.resolve("out");
    CliRun train = CliRun.run("train", "--model", CliRun.model("tiny-random-bert").toString(), "--train", data.toString(),
        "--task", "intent", "--output", out.toString(), "--recipe", "intent", "--epochs", "1", "--batch-size", "8");
    assertEquals(0, train.exitCode(), train.err());
    assertEquals("mean", JSON.readTree(out.resolve("config.json").toFile()).get("classifier_pooling").asText());
    JsonNode settings = JSON.readTree(out.resolve("checkpoint/trainer_state.json").toFile()).get("settings");
    assertEquals("1.0E-4", settings.get("lr").asText());
    assertEquals("0.9", settings.get("layer_lr_decay").asText());
    assertEquals("0.1", settings.get("label_smoothing").asText());
    assertEquals("0.998", settings.get("ema_decay").asText());
    assertEquals("mean", settings.get("classifier_pooling").asText());
    assertEquals("1", settings.get("epochs").asText(), "--epochs beside the recipe wins over its 6");
    assertTrue(Files.isRegularFile(out.resolve("checkpoint/ema.safetensors")));
  }

  @Test
  void intentRecipeNeedsTheIntentTaskAndUnknownRecipesAreNamed() {
    CliRun pair = CliRun.run("train", "--model", CliRun.model("tiny-random-bert").toString(), "--train",
        tmp.resolve("none.csv").toString(), "--task", "pair", "--output", tmp.resolve("p").toString(), "--recipe", "intent");
    assertEquals(2, pair.exitCode());
    assertTrue(pair.err().contains("--recipe intent trains intents"), pair.err());
    CliRun magic = CliRun.run("train", "--model", CliRun.model("tiny-random-bert").toString(), "--train",
        tmp.resolve("none.csv").toString(), "--task", "intent", "--output", tmp.resolve("o").toString(), "--recipe", "magic");
    assertEquals(2, magic.exitCode());
    assertTrue(magic.err().contains("--recipe 'magic' is not known; the recipes are: intent, few-shot"), magic.err());
  }
}
