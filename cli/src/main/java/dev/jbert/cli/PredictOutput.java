package dev.jbert.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.finetune.data.FileFormat;
import dev.jbert.finetune.io.Json;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Where {@code jbert predict} writes its answers: JSON lines (stdout, or a {@code .jsonl} file),
 * written and flushed batch by batch; or a CSV/TSV table, whose header is every field seen (input
 * columns first), written when the input has ended.
 */
interface PredictOutput {

  /** Writes one answer; null writes the empty line that answers a blank input line. */
  void write(ObjectNode answer) throws IOException;

  /** Pushes what was written so far to its reader (after each batch). */
  void flush() throws IOException;

  /** Writes what is still held and flushes; call once, when the input has ended. */
  void finish() throws IOException;

  /** An output in {@code format} on {@code out}. */
  static PredictOutput of(FileFormat format, Writer out) {
    return switch (format) {
      case JSONL -> new JsonLines(out);
      case CSV -> new Table(out, CSVFormat.RFC4180.builder().setRecordSeparator('\n').build());
      case TSV -> new Table(out, CSVFormat.RFC4180.builder().setDelimiter('\t').setRecordSeparator('\n').build());
    };
  }

  /** One JSON object per line. */
  final class JsonLines implements PredictOutput {
    private final Writer out;

    JsonLines(Writer out) {
      this.out = out;
    }

    @Override
    public void write(ObjectNode answer) throws IOException {
      if (answer != null) {
        out.write(Json.MAPPER.writeValueAsString(answer));
      }
      out.write('\n');
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void finish() throws IOException {
      out.flush();
    }
  }

  /**
   * A CSV or TSV table: one row per answer (blank input lines have none), one column per field.
   * Strings are written as they are, other values (numbers, {@code top_k}, JSON arrays) as JSON.
   */
  final class Table implements PredictOutput {
    private final Writer out;
    private final CSVFormat format;
    private final List<ObjectNode> rows = new ArrayList<>();

    Table(Writer out, CSVFormat format) {
      this.out = out;
      this.format = format;
    }

    @Override
    public void write(ObjectNode answer) {
      if (answer != null) {
        rows.add(answer);
      }
    }

    @Override
    public void flush() {
      // the header needs every row's fields: rows are written by finish()
    }

    @Override
    public void finish() throws IOException {
      Set<String> columns = new LinkedHashSet<>();
      for (ObjectNode row : rows) {
        for (Iterator<String> names = row.fieldNames(); names.hasNext(); ) {
          columns.add(names.next());
        }
      }
      CSVPrinter printer = new CSVPrinter(out, format);
      printer.printRecord(columns);
      for (ObjectNode row : rows) {
        List<String> cells = new ArrayList<>(columns.size());
        for (String column : columns) {
          cells.add(cell(row.get(column)));
        }
        printer.printRecord(cells);
      }
      printer.flush();
    }

    private static String cell(JsonNode value) throws JsonProcessingException {
      if (value == null || value.isNull()) {
        return "";
      }
      return value.isTextual() ? value.textValue() : Json.MAPPER.writeValueAsString(value);
    }
  }
}
