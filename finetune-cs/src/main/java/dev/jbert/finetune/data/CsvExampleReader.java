package dev.jbert.finetune.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Reads {@link Example}s from a CSV or TSV file with a header line (see {@link CsvTable} for the dialect). */
final class CsvExampleReader {

  private CsvExampleReader() {}

  static List<Example> read(Path file, char delimiter, ReadOptions options) {
    CsvTable table = CsvTable.read(file, delimiter);
    int text = table.column(options.textColumn());
    int pair = options.pairColumn() == null ? -1 : table.column(options.pairColumn());
    int context = options.contextColumn() == null ? -1 : table.column(options.contextColumn());
    int label = options.labelColumn() == null ? -1 : table.column(options.labelColumn());
    Pattern separator = Pattern.compile(Pattern.quote(options.contextSeparator()));

    List<Example> examples = new ArrayList<>(table.rows().size());
    for (CsvTable.Row row : table.rows()) {
      long line = row.line();
      List<String> v = row.values();
      String textValue = FieldValues.requireText(file, line, options.textColumn(), v.get(text));
      String pairValue = pair < 0 ? null : FieldValues.requireText(file, line, options.pairColumn(), v.get(pair));
      List<String> turns = context < 0 ? List.of() : splitTurns(v.get(context), separator);
      String labelValue = null;
      Double score = null;
      if (label >= 0 && options.regression()) {
        score = FieldValues.requireScore(file, line, options.labelColumn(), v.get(label));
      } else if (label >= 0) {
        labelValue = FieldValues.requireText(file, line, options.labelColumn(), v.get(label));
      }
      examples.add(new Example(textValue, pairValue, turns, labelValue, score, file, line));
    }
    return examples;
  }

  private static List<String> splitTurns(String cell, Pattern separator) {
    List<String> turns = new ArrayList<>();
    for (String turn : separator.split(cell, -1)) {
      String trimmed = turn.strip();
      if (!trimmed.isEmpty()) {
        turns.add(trimmed);
      }
    }
    return turns;
  }
}
