package dev.jbert.finetune.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A dataset's official (or documented) splits.
 *
 * @param name short name, e.g. {@code banking77}
 * @param train training examples
 * @param validation held-out examples for model selection; empty when the dataset has none (then hold
 *     out part of train with {@link StratifiedSplit})
 * @param test test examples
 */
public record DatasetSplits(String name, List<Example> train, List<Example> validation, List<Example> test) {

  /** File names {@link #writeJsonl} uses. */
  public static final String TRAIN_FILE = "train.jsonl";
  public static final String VALIDATION_FILE = "validation.jsonl";
  public static final String TEST_FILE = "test.jsonl";

  public DatasetSplits {
    Objects.requireNonNull(name, "name");
    train = List.copyOf(train);
    validation = List.copyOf(validation);
    test = List.copyOf(test);
  }

  /**
   * Writes {@code train.jsonl}, {@code validation.jsonl} (when not empty) and {@code test.jsonl}
   * into {@code dir} with {@link JsonlExampleWriter}, each atomically.
   *
   * @return the files written, by split name ({@code train}, {@code validation}, {@code test})
   */
  public Map<String, Path> writeJsonl(Path dir) throws IOException {
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("train", dir.resolve(TRAIN_FILE));
    if (!validation.isEmpty()) {
      files.put("validation", dir.resolve(VALIDATION_FILE));
    }
    files.put("test", dir.resolve(TEST_FILE));
    JsonlExampleWriter.write(train, files.get("train"));
    if (!validation.isEmpty()) {
      JsonlExampleWriter.write(validation, files.get("validation"));
    }
    JsonlExampleWriter.write(test, files.get("test"));
    return files;
  }

  /** The options that read the files of {@link #writeJsonl} back (pair/context/score columns as needed). */
  public ReadOptions readOptions() {
    return JsonlExampleWriter.readOptions(train);
  }
}
