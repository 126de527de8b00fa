package dev.jbert.cli;

import dev.jbert.finetune.data.FileFormat;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The input options of {@code train}, {@code eval} and {@code predict}: which CSV/TSV column or JSON
 * field holds the message, the candidate reply and the earlier turns, and the file format when the
 * name does not tell. Unset options are null: each command fills in its defaults (for {@code eval}
 * and {@code predict}, the columns saved with the model).
 */
final class InputColumns {

  @Option(names = "--text-column", paramLabel = "NAME",
      description = "Column (or JSON field) of the message. Default: text, or for a fine-tuned model the column it was trained on.")
  String text;

  @Option(names = "--pair-column", paramLabel = "NAME",
      description = "Column of the candidate reply (segment B); the pair task reads 'pair' unless told otherwise "
          + "(a fine-tuned model: the column it was trained on).")
  String pair;

  @Option(names = "--context-column", paramLabel = "NAME",
      description = "Column of earlier turns, oldest first (JSON: an array of strings; CSV/TSV: turns separated by '|||'). "
          + "They go into segment A, the message into segment B; the oldest turns are dropped first when too long. "
          + "A fine-tuned model reads the column it was trained on.")
  String context;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "csv, tsv or jsonl: the format of the data file when its name does not end in .csv, .tsv or .jsonl.")
  FileFormat format;

  /** The format of {@code file}: {@code --format}, else its extension; a clear error when neither tells. */
  FileFormat formatOf(Path file) {
    if (format != null) {
      return format;
    }
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    try {
      return FileFormat.of(file);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": cannot tell the format from the file name"
          + (dot > 0 ? " (" + name.substring(dot) + ")" : "") + "; name it .csv, .tsv or .jsonl, or pass --format csv|tsv|jsonl", e);
    }
  }
}
