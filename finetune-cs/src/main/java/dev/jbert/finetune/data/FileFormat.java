package dev.jbert.finetune.data;

import java.nio.file.Path;
import java.util.Locale;

/** Table formats the readers understand. */
public enum FileFormat {
  /** RFC 4180 CSV with a header line: comma-separated, fields quoted with {@code "} when needed. */
  CSV,
  /** Tab-separated with a header line; fields may be quoted with {@code "} as in CSV. */
  TSV,
  /** JSON Lines: one JSON object per line. */
  JSONL;

  /** The format implied by a file name: {@code .csv}, {@code .tsv}/{@code .tab}, {@code .jsonl}/{@code .ndjson}. */
  public static FileFormat of(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      return CSV;
    }
    if (name.endsWith(".tsv") || name.endsWith(".tab")) {
      return TSV;
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return JSONL;
    }
    throw new DataFileException(file, 0, "cannot tell the format from the file name; name it .csv, .tsv or .jsonl, or give the format (ReadOptions.withFormat)");
  }
}
