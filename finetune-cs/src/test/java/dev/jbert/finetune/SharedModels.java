package dev.jbert.finetune;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** Model folders of the shared folder, located through the {@code jbert.shared} property that Surefire sets. */
public final class SharedModels {

  private SharedModels() {}

  /** {@code <shared>/models/<name>}; fails the test with a clear message when it is missing. */
  public static Path model(String name) {
    String shared = System.getProperty("jbert.shared");
    if (shared == null) {
      fail("system property jbert.shared is not set (Surefire sets it to ../shared beside the checkout)");
    }
    Path dir = Path.of(shared, "models", name);
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      fail("shared model missing: " + dir.toAbsolutePath() + " (the models must sit in ../shared beside the checkout)");
    }
    return dir;
  }

  /** The 99-token random BERT with a 3-label head (greeting, delivery, refund). */
  public static Path tinyBert() {
    return model("tiny-random-bert");
  }

  /** The same encoder with a one-output regression head. */
  public static Path tinyBertRegression() {
    return model("tiny-random-bert-regression");
  }
}
