package dev.jbert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.model.TaskSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which fields of a {@code jbert predict} record hold the message, the candidate reply and the
 * earlier turns. A column option names exactly one field. Without it, the column the model was
 * trained on is read, and the usual names of predict's JSON lines ({@code text}, {@code text_pair},
 * {@code context}) are read too, so both {@code {"text": ...}} and the training file's own layout
 * work.
 *
 * @param text names of the message field, first present wins
 * @param pair names of the candidate-reply field
 * @param context names of the earlier-turns field
 */
record PredictFields(List<String> text, List<String> pair, List<String> context) {

  private static final Pattern TURN_SEPARATOR = Pattern.compile(Pattern.quote(ReadOptions.DEFAULT_CONTEXT_SEPARATOR));

  /** The fields to read for a model with {@code settings}, given the column options. */
  static PredictFields of(InputColumns options, TaskSettings settings) {
    TaskSettings.Columns saved = settings.columns();
    // A pair model saved before column names were kept was trained on the pair task's default column.
    String savedPair = saved.pair() != null ? saved.pair() : settings.task() == Task.PAIR ? "pair" : null;
    return new PredictFields(names(options.text, saved.text(), "text"), names(options.pair, savedPair, "text_pair"),
        names(options.context, saved.context(), "context"));
  }

  private static List<String> names(String given, String saved, String usual) {
    if (given != null) {
      return List.of(given);
    }
    LinkedHashSet<String> names = new LinkedHashSet<>();
    if (saved != null) {
      names.add(saved);
    }
    names.add(usual);
    return List.copyOf(names);
  }

  /**
   * The example a record asks about (no label).
   *
   * @param table true for CSV/TSV cells: an empty cell is no reply or no earlier turns, and earlier
   *     turns are one cell separated by {@code |||}
   * @throws DataFileException naming {@code source:line} and the field that is missing or wrong
   */
  Example example(ObjectNode fields, boolean table, Path source, long line) {
    String textField = present(fields, text, false);
    if (textField == null) {
      throw new DataFileException(source, line, "no " + quoted(text) + " field (the message); " + has(fields));
    }
    String message = string(fields, textField, source, line);
    if (message.isBlank()) {
      throw new DataFileException(source, line, "empty '" + textField + "'");
    }
    String pairField = present(fields, pair, table);
    String reply = null;
    if (pairField != null) {
      reply = string(fields, pairField, source, line);
      if (reply.isBlank()) {
        throw new DataFileException(source, line, "empty '" + pairField + "' (the candidate reply); leave it out or null");
      }
      reply = reply.strip();
    }
    String contextField = present(fields, context, table);
    List<String> turns = contextField == null ? List.of() : turns(fields.get(contextField), contextField, table, source, line);
    return new Example(message.strip(), reply, turns, null, null, source, line);
  }

  /** The first of {@code names} the record has with a value (for table cells: a non-empty one), or null. */
  private static String present(ObjectNode fields, List<String> names, boolean emptyIsAbsent) {
    for (String name : names) {
      JsonNode value = fields.get(name);
      if (value != null && !value.isNull() && !(emptyIsAbsent && value.isTextual() && value.textValue().isBlank())) {
        return name;
      }
    }
    return null;
  }

  private static String string(ObjectNode fields, String name, Path source, long line) {
    JsonNode value = fields.get(name);
    if (!value.isTextual()) {
      throw new DataFileException(source, line, "'" + name + "' must be a string, found " + kind(value));
    }
    return value.textValue();
  }

  private static List<String> turns(JsonNode value, String name, boolean table, Path source, long line) {
    List<String> turns = new ArrayList<>();
    if (table) {
      for (String turn : TURN_SEPARATOR.split(value.textValue(), -1)) {
        if (!turn.isBlank()) {
          turns.add(turn.strip());
        }
      }
      return turns;
    }
    if (!value.isArray()) {
      throw new DataFileException(source, line, "'" + name + "' must be an array of strings (earlier turns, oldest first), found "
          + kind(value));
    }
    for (JsonNode turn : value) {
      if (!turn.isTextual()) {
        throw new DataFileException(source, line, "'" + name + "' must hold only strings, found " + kind(turn));
      }
      if (!turn.textValue().isBlank()) {
        turns.add(turn.textValue().strip());
      }
    }
    return turns;
  }

  private static String quoted(List<String> names) {
    List<String> q = names.stream().map(n -> "'" + n + "'").toList();
    return q.size() == 1 ? q.get(0) : String.join(" or ", q);
  }

  private static String has(ObjectNode fields) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = fields.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names.isEmpty() ? "the record is empty" : "it has " + String.join(", ", names);
  }

  private static String kind(JsonNode value) {
    return value.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
