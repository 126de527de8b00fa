package dev.jbert.cli;

import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ExampleReader;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.model.TaskSettings;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The column options of labelled data, shared by {@code train} and {@code eval}: the input columns
 * and the label column.
 */
final class DataColumns {

  @CommandLine.Mixin InputColumns input;

  @Option(names = "--label-column", paramLabel = "NAME",
      description = "Column of the label, or of the score for regression. Default: label, or for a fine-tuned model "
          + "the column it was trained on.")
  String label;

  /**
   * The read options for {@code task}: each column as given, else as {@code saved} with the model,
   * else the default ({@code text}, {@code label}, {@code pair} for the pair task, no context).
   */
  ReadOptions readOptions(Task task, TaskSettings.Columns saved) {
    ReadOptions options = ReadOptions.defaults().withTextColumn(first(input.text, saved.text(), "text"));
    String labelColumn = first(label, saved.label(), "label");
    options = task.isRegression() ? options.withScoreColumn(labelColumn) : options.withLabelColumn(labelColumn);
    String pairColumn = first(input.pair, saved.pair(), task == Task.PAIR ? "pair" : null);
    if (pairColumn != null) {
      options = options.withPairColumn(pairColumn);
    }
    String contextColumn = first(input.context, saved.context(), null);
    if (contextColumn != null) {
      options = options.withContextColumn(contextColumn);
    }
    return options;
  }

  /**
   * Reads a data file in the format {@code --format} or its name says; bad data becomes an {@link
   * IllegalArgumentException} (exit code 2) whose message names the file and line.
   */
  List<Example> read(Path file, ReadOptions options) {
    try {
      return ExampleReader.read(file, options.withFormat(input.formatOf(file)));
    } catch (DataFileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static String first(String given, String saved, String fallback) {
    return given != null ? given : saved != null ? saved : fallback;
  }
}
