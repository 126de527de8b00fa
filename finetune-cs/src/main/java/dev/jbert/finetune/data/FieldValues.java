package dev.jbert.finetune.data;

import java.nio.file.Path;

/** Checks and normalises single field values the same way for every file format. */
final class FieldValues {

  private FieldValues() {}

  /** A text field, trimmed; blank or missing is an error. */
  static String requireText(Path file, long line, String column, String value) {
    if (value == null) {
      throw new DataFileException(file, line, "missing field '" + column + "'");
    }
    String trimmed = value.strip();
    if (trimmed.isEmpty()) {
      throw new DataFileException(file, line, "empty '" + column + "'");
    }
    return trimmed;
  }

  /** A finite number, from text such as {@code "5.0"}. */
  static double requireScore(Path file, long line, String column, String value) {
    String text = requireText(file, line, column, value);
    double score;
    try {
      score = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new DataFileException(file, line, "'" + column + "' is not a number: '" + text + "'");
    }
    return requireFinite(file, line, column, score);
  }

  static double requireFinite(Path file, long line, String column, double score) {
    if (!Double.isFinite(score)) {
      throw new DataFileException(file, line, "'" + column + "' is not a finite number: " + score);
    }
    return score;
  }
}
