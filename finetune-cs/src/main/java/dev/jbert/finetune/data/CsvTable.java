package dev.jbert.finetune.data;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * A CSV or TSV file read as a header and rows, each row with the physical line where it starts.
 *
 * <p>Parsing is RFC 4180 (Apache Commons CSV): fields may be quoted with {@code "}, quoted fields may
 * hold delimiters, {@code ""} and line breaks; records end with LF or CRLF; a UTF-8 byte-order mark is
 * ignored; empty lines are skipped. In TSV a field that begins with {@code "} is read as quoted too.
 * Every row must have as many fields as the header.
 */
public final class CsvTable {

  /** One record: where it starts and its fields in header order. */
  public record Row(long line, List<String> values) {}

  private final Path file;
  private final List<String> header;
  private final List<Row> rows;

  private CsvTable(Path file, List<String> header, List<Row> rows) {
    this.file = file;
    this.header = header;
    this.rows = rows;
  }

  /**
   * Reads a whole file.
   *
   * @param delimiter {@code ','} for CSV, {@code '\t'} for TSV
   * @throws DataFileException for an empty file, a duplicate column name, a malformed record or a
   *     row whose field count differs from the header's (naming the line where that record starts)
   */
  public static CsvTable read(Path file, char delimiter) {
    String text = TextFiles.readUtf8(file);
    LineIndex lines = new LineIndex(text);
    CSVFormat format = CSVFormat.RFC4180.builder()
        .setDelimiter(delimiter)
        .setHeader()
        .setSkipHeaderRecord(true)
        .setIgnoreEmptyLines(true)
        .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW)
        .build();
    try (CSVParser parser = parse(file, format, text)) {
      List<String> header = List.copyOf(parser.getHeaderNames());
      if (header.isEmpty()) {
        throw new DataFileException(file, 1, "empty file: no header line");
      }
      List<Row> rows = new ArrayList<>();
      Iterator<CSVRecord> records = parser.iterator();
      long consumedLines = parser.getCurrentLineNumber();
      while (true) {
        CSVRecord record;
        try {
          if (!records.hasNext()) {
            break;
          }
          record = records.next();
        } catch (UncheckedIOException | IllegalStateException e) {
          long start = nextRecordLine(text, lines, consumedLines);
          throw new DataFileException(file, start, "malformed record: " + rootMessage(e), e);
        }
        // The parser reports where it began reading, before the empty lines it skipped.
        long line = skipEmptyLines(text, lines, lines.lineOf(record.getCharacterPosition()));
        if (record.size() != header.size()) {
          throw new DataFileException(file, line, "row has " + record.size() + " field(s), the header has " + header.size() + " " + header);
        }
        rows.add(new Row(line, record.toList()));
        consumedLines = parser.getCurrentLineNumber();
      }
      if (rows.isEmpty()) {
        throw new DataFileException(file, 2, "no rows after the header line");
      }
      return new CsvTable(file, header, List.copyOf(rows));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringReader does not fail
    }
  }

  private static CSVParser parse(Path file, CSVFormat format, String text) throws IOException {
    try {
      return format.parse(new StringReader(text));
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new DataFileException(file, 1, "bad header line: " + rootMessage(e), e);
    }
  }

  /** The line where the record after the first {@code consumedLines} lines starts. */
  private static long nextRecordLine(String text, LineIndex lines, long consumedLines) {
    return skipEmptyLines(text, lines, consumedLines + 1);
  }

  /** The first line from {@code line} on that is not empty. */
  private static long skipEmptyLines(String text, LineIndex lines, long line) {
    while (line < lines.lineCount() && lines.isEmptyLine(text, line)) {
      line++;
    }
    return line;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  /** The file this table was read from. */
  public Path file() {
    return file;
  }

  /** Column names in file order. */
  public List<String> header() {
    return header;
  }

  /** Rows in file order (at least one). */
  public List<Row> rows() {
    return rows;
  }

  /**
   * Index of a column.
   *
   * @throws DataFileException naming line 1 (the header) when there is no such column
   */
  public int column(String name) {
    int index = header.indexOf(name);
    if (index < 0) {
      throw new DataFileException(file, 1, "no column '" + name + "'; the columns are " + header);
    }
    return index;
  }
}
