package dev.jbert.finetune;

import dev.jbert.core.io.AtomicFiles;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuning;
import dev.jbert.finetune.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Tiny fine-tuned models for the tests of the modules above (serve, spark): two training steps of a
 * small shared model (fast, and answers that still differ from text to text), each in a folder under
 * one temporary root per test JVM that is deleted at exit.
 */
public final class TinyTraining {

  private static Path root;

  private TinyTraining() {}

  /** Trains {@code base} on {@code data} for two steps (batch 4, every row) into {@code <root>/<name>}. */
  public static Path train(String name, Path base, Task task, List<Example> data) {
    Path dir = root().resolve(name);
    FineTuneConfig config = FineTuneConfig.builder(task).maxSteps(2).batchSize(4).validationSplit(0).build();
    try {
      FineTuning.run(base, data, List.of(), dir, config, TrainingListener.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** A copy of the files of the model folder {@code from} (not its checkpoint folder) as {@code <root>/<name>}. */
  public static Path copy(Path from, String name) {
    Path copy = root().resolve(name);
    try {
      Files.createDirectories(copy);
      try (Stream<Path> files = Files.list(from)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(f, copy.resolve(f.getFileName()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return copy;
  }

  /** The temporary root, made on first use and deleted when the JVM exits. */
  public static synchronized Path root() {
    if (root == null) {
      try {
        root = Files.createTempDirectory("jbert-test-models");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Path dir = root;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
    }
    return root;
  }

  private static void delete(Path dir) {
    try {
      AtomicFiles.deleteTree(dir);
    } catch (IOException e) {
      // a temporary folder left behind
    }
  }
}
