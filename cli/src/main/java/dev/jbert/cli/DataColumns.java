package dev.jbert.cli;

import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ExampleReader;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.model.Task;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The column options shared by {@code train} and {@code eval}: which CSV/TSV column or JSON field holds what. */
final class DataColumns {

  @Option(names = "--text-column", paramLabel = "NAME", defaultValue = "text",
      description = "Column (or JSON field) of the message. Default: ${DEFAULT-VALUE}.")
  String text;

  @Option(names = "--pair-column", paramLabel = "NAME",
      description = "Column of the candidate reply (segment B); the pair task reads 'pair' unless told otherwise.")
  String pair;

  @Option(names = "--label-column", paramLabel = "NAME", defaultValue = "label",
      description = "Column of the label, or of the score for regression. Default: ${DEFAULT-VALUE}.")
  String label;

  @Option(names = "--context-column", paramLabel = "NAME",
      description = "Column of earlier turns, oldest first (JSON: an array of strings; CSV/TSV: turns separated by '|||'). "
          + "They go into segment A, the message into segment B; the oldest turns are dropped first when too long.")
  String context;

  /** The read options for {@code task}. */
  ReadOptions readOptions(Task task) {
    ReadOptions options = ReadOptions.defaults().withTextColumn(text);
    options = task.isRegression() ? options.withScoreColumn(label) : options.withLabelColumn(label);
    String pairColumn = pair != null ? pair : task == Task.PAIR ? "pair" : null;
    if (pairColumn != null) {
      options = options.withPairColumn(pairColumn);
    }
    if (context != null) {
      options = options.withContextColumn(context);
    }
    return options;
  }

  /**
   * Reads a data file; bad data becomes an {@link IllegalArgumentException} (exit code 2) whose
   * message names the file and line.
   */
  static List<Example> read(Path file, ReadOptions options) {
    try {
      return ExampleReader.read(file, options);
    } catch (DataFileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
