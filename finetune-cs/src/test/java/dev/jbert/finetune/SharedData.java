package dev.jbert.finetune;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared data folder, located through the {@code jbert.shared} property that Surefire sets. */
public final class SharedData {

  private SharedData() {}

  /** {@code <shared>/data}; fails the test with a clear message when it is missing. */
  public static Path dataDir() {
    String shared = System.getProperty("jbert.shared");
    if (shared == null) {
      fail("system property jbert.shared is not set (Surefire sets it to ../shared beside the checkout)");
    }
    Path data = Path.of(shared).resolve("data");
    if (!Files.isDirectory(data)) {
      fail("shared data folder missing: " + data.toAbsolutePath() + " (the models and data must sit in ../shared beside the checkout)");
    }
    return data;
  }
}
