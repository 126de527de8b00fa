package dev.jbert.finetune.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.finetune.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes examples as JSON Lines in the layout {@link ReadOptions#defaults()} reads: {@code text},
 * {@code pair} (when present), {@code context} (array, oldest turn first, when present) and {@code
 * label} (a string, or a number for regression; absent for unlabelled examples).
 */
public final class JsonlExampleWriter {

  /** Field names written, and so the column names to read the file back with. */
  public static final String TEXT = "text";
  public static final String PAIR = "pair";
  public static final String CONTEXT = "context";
  public static final String LABEL = "label";

  private JsonlExampleWriter() {}

  /** Writes {@code examples} to {@code file} atomically, one object per line. */
  public static void write(List<Example> examples, Path file) throws IOException {
    AtomicFiles.write(file, out -> {
      for (Example example : examples) {
        out.write(Json.MAPPER.writeValueAsBytes(toJson(example)));
        out.write('\n');
      }
    });
  }

  /** The read options that read a file written here back into equal examples (apart from source and line). */
  public static ReadOptions readOptions(List<Example> examples) {
    ReadOptions options = ReadOptions.defaults().withFormat(FileFormat.JSONL);
    if (examples.stream().anyMatch(Example::hasPair)) {
      options = options.withPairColumn(PAIR);
    }
    if (examples.stream().anyMatch(e -> !e.context().isEmpty())) {
      options = options.withContextColumn(CONTEXT);
    }
    if (examples.stream().anyMatch(Example::isRegression)) {
      options = options.withScoreColumn(LABEL);
    } else if (examples.stream().noneMatch(Example::isLabelled)) {
      options = options.withoutLabels();
    }
    return options;
  }

  static ObjectNode toJson(Example example) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put(TEXT, example.text());
    if (example.hasPair()) {
      node.put(PAIR, example.pair());
    }
    if (!example.context().isEmpty()) {
      ArrayNode turns = node.putArray(CONTEXT);
      example.context().forEach(turns::add);
    }
    if (example.label() != null) {
      node.put(LABEL, example.label());
    } else if (example.score() != null) {
      node.put(LABEL, example.score());
    }
    return node;
  }
}
