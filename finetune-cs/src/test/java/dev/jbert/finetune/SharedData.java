package dev.jbert.finetune;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared data folder, located as {@link SharedModels#shared} locates the shared folder. */
public final class SharedData {

  private SharedData() {}

  /** {@code <shared>/data}; fails the test with a clear message when it is missing or not a folder. */
  public static Path dataDir() {
    Path data = SharedModels.shared("data");
    if (!Files.isDirectory(data)) {
      fail("shared data folder is not a folder: " + data.toAbsolutePath());
    }
    return data;
  }
}
