package dev.jbert.finetune.metrics;

import dev.jbert.finetune.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes {@code metrics.json}: an object whose entries are metric records ({@link
 * ClassificationMetrics}, {@link RegressionMetrics}, {@link OutOfScopeMetrics}) or plain values,
 * e.g. {@code {"split": "test", "classification": {...}, "out_of_scope": {...}}}. Records become
 * objects with their component names in snake_case, as Hugging Face names metrics ({@code macro_f1},
 * {@code per_class}, {@code out_of_scope_recall}); NaN is written as the string {@code "NaN"}. The
 * file is replaced atomically.
 */
public final class MetricsFile {

  /** Default file name inside a run folder. */
  public static final String FILE_NAME = "metrics.json";

  private MetricsFile() {}

  /** Writes {@code entries} (in their iteration order) to {@code file}. */
  public static void write(Path file, Map<String, ?> entries) throws IOException {
    Json.writePretty(file, entries);
  }
}
