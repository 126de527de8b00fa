package dev.jbert.finetune.data;

import java.util.Objects;

/**
 * Which columns (CSV/TSV header names, or JSON Lines field names) hold what.
 *
 * <p>Defaults: text in {@code text}, label in {@code label}, no pair, no context, classification,
 * format from the file extension. These match what {@link JsonlExampleWriter} writes, so a prepared
 * file reads back with {@code defaults()} plus {@code withPairColumn("pair")} / {@code
 * withContextColumn("context")} when it has those.
 *
 * @param format the file format, or null to take it from the file name ({@link FileFormat#of})
 * @param textColumn the message (required)
 * @param pairColumn the second segment (candidate reply), or null for single-text tasks
 * @param contextColumn earlier turns, or null. In JSON Lines an array of strings, oldest first (a
 *     missing or null field means no earlier turns). In CSV/TSV one cell with the turns separated by
 *     {@code contextSeparator}, oldest first; an empty cell means no earlier turns
 * @param labelColumn the class name, or the score when {@code regression}; null for unlabelled input
 *     (prediction)
 * @param regression true: the label column holds a number (regression target)
 * @param contextSeparator separator of turns in a CSV/TSV context cell (default {@value #DEFAULT_CONTEXT_SEPARATOR});
 *     turns are trimmed and empty ones dropped
 */
public record ReadOptions(
    FileFormat format,
    String textColumn,
    String pairColumn,
    String contextColumn,
    String labelColumn,
    boolean regression,
    String contextSeparator) {

  /** Separator of earlier turns inside one CSV/TSV cell. */
  public static final String DEFAULT_CONTEXT_SEPARATOR = "|||";

  public ReadOptions {
    Objects.requireNonNull(textColumn, "textColumn");
    Objects.requireNonNull(contextSeparator, "contextSeparator");
    if (contextSeparator.isEmpty()) {
      throw new IllegalArgumentException("contextSeparator must not be empty");
    }
    if (regression && labelColumn == null) {
      throw new IllegalArgumentException("regression needs a label column holding the score");
    }
  }

  /** Text in {@code text}, label in {@code label}, classification, format from the extension. */
  public static ReadOptions defaults() {
    return new ReadOptions(null, "text", null, null, "label", false, DEFAULT_CONTEXT_SEPARATOR);
  }

  public ReadOptions withFormat(FileFormat value) {
    return new ReadOptions(value, textColumn, pairColumn, contextColumn, labelColumn, regression, contextSeparator);
  }

  public ReadOptions withTextColumn(String value) {
    return new ReadOptions(format, value, pairColumn, contextColumn, labelColumn, regression, contextSeparator);
  }

  public ReadOptions withPairColumn(String value) {
    return new ReadOptions(format, textColumn, value, contextColumn, labelColumn, regression, contextSeparator);
  }

  public ReadOptions withContextColumn(String value) {
    return new ReadOptions(format, textColumn, pairColumn, value, labelColumn, regression, contextSeparator);
  }

  /** The label column for classification. */
  public ReadOptions withLabelColumn(String value) {
    return new ReadOptions(format, textColumn, pairColumn, contextColumn, value, false, contextSeparator);
  }

  /** The label column holds a numeric score (regression). */
  public ReadOptions withScoreColumn(String value) {
    return new ReadOptions(format, textColumn, pairColumn, contextColumn, value, true, contextSeparator);
  }

  /** No label column: the examples are unlabelled (prediction input). */
  public ReadOptions withoutLabels() {
    return new ReadOptions(format, textColumn, pairColumn, contextColumn, null, false, contextSeparator);
  }

  public ReadOptions withContextSeparator(String value) {
    return new ReadOptions(format, textColumn, pairColumn, contextColumn, labelColumn, regression, value);
  }
}
