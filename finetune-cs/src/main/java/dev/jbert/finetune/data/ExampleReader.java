package dev.jbert.finetune.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads a file of examples (CSV, TSV or JSON Lines) with the columns named in {@link ReadOptions}.
 *
 * <p>Text, pair, context turns and class labels are trimmed. Every problem is a {@link
 * DataFileException} whose message starts with {@code file:line:}: a malformed record, a row with the
 * wrong number of fields, a blank text or label, a score that is not a number, an empty file, or a
 * column that the file does not have (line 1, the header).
 */
public final class ExampleReader {

  private ExampleReader() {}

  /** All examples of {@code file}, in file order. */
  public static List<Example> read(Path file, ReadOptions options) {
    FileFormat format = options.format() != null ? options.format() : FileFormat.of(file);
    return switch (format) {
      case CSV -> CsvExampleReader.read(file, ',', options);
      case TSV -> CsvExampleReader.read(file, '\t', options);
      case JSONL -> JsonlExampleReader.read(file, options);
    };
  }
}
