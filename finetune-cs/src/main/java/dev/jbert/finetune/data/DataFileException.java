package dev.jbert.finetune.data;

import java.nio.file.Path;

/**
 * A data file that cannot be used as it is: a malformed row, an empty file, a missing column, an
 * unknown label. The message starts with {@code file:line:} (line = physical line, 1-based, where the
 * offending record starts; 0 when the problem concerns the whole file and no line applies).
 */
public final class DataFileException extends RuntimeException {

  private final Path file;
  private final long line;

  /** @param line physical 1-based line where the record starts, or 0 for the whole file */
  public DataFileException(Path file, long line, String problem) {
    super(where(file, line) + ": " + problem);
    this.file = file;
    this.line = line;
  }

  /** Same, keeping the low-level cause (a parser exception) for the stack trace. */
  public DataFileException(Path file, long line, String problem, Throwable cause) {
    super(where(file, line) + ": " + problem, cause);
    this.file = file;
    this.line = line;
  }

  /** The file the problem is in. */
  public Path file() {
    return file;
  }

  /** The physical 1-based line where the record starts; 0 when no line applies. */
  public long line() {
    return line;
  }

  static String where(Path file, long line) {
    return line > 0 ? file + ":" + line : file.toString();
  }
}
