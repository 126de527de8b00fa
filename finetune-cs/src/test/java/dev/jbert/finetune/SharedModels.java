package dev.jbert.finetune;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** Model folders and files of the shared folder, located through the {@code jbert.shared} property that Surefire sets. */
public final class SharedModels {

  private SharedModels() {}

  /** {@code <shared>/<relative>}; fails the test with a clear message when it is missing. */
  public static Path shared(String relative) {
    String shared = System.getProperty("jbert.shared");
    if (shared == null) {
      fail("system property jbert.shared is not set (Surefire sets it to ../shared beside the checkout)");
    }
    Path path = Path.of(shared, relative);
    if (!Files.exists(path)) {
      fail("shared file missing: " + path.toAbsolutePath() + " (models and data must sit in ../shared beside the checkout)");
    }
    return path;
  }

  /** {@code <shared>/models/<name>}; fails the test with a clear message when it is not a model folder. */
  public static Path model(String name) {
    Path dir = shared("models/" + name);
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      fail("no config.json in the shared model " + dir.toAbsolutePath());
    }
    return dir;
  }

  /** all-MiniLM-L6-v2, the sentence-embedding model. */
  public static Path miniLm() {
    return model("all-MiniLM-L6-v2");
  }

  /** The 99-token random BERT with a 3-label head (greeting, delivery, refund). */
  public static Path tinyBert() {
    return model("tiny-random-bert");
  }

  /**
   * The same architecture initialised with std 0.2 instead of 0.02. At std 0.02 the tiny model is
   * almost linear and often sits for many epochs on a plateau where two classes stay merged; this one
   * learns the synthetic tasks of the tests reliably.
   */
  public static Path tinyBertLargeInit() {
    return model("tiny-random-bert-large-init");
  }

  /** The encoder of tiny-random-bert with a one-output regression head. */
  public static Path tinyBertRegression() {
    return model("tiny-random-bert-regression");
  }
}
