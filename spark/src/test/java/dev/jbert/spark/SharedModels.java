package dev.jbert.spark;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** Model folders and data of the shared folder, located through the {@code jbert.shared} property that Surefire sets. */
final class SharedModels {

  private SharedModels() {}

  /** {@code <shared>/<relative>}; fails the test with a clear message when it is missing. */
  static Path shared(String relative) {
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

  /** {@code <shared>/models/<name>}. */
  static Path model(String name) {
    return shared("models/" + name);
  }

  /** The 99-token random BERT with a 3-label head. */
  static Path tinyBert() {
    return model("tiny-random-bert");
  }
}
