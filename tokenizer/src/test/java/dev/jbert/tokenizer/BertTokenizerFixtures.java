package dev.jbert.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Model directories derived from the shared ones in temporary folders, for loader tests. */
final class BertTokenizerFixtures {

  private BertTokenizerFixtures() {}

  /** A fresh load of a shared model (not the cached one). */
  static BertTokenizer reloaded(String model) {
    return load(Shared.model(model));
  }

  /** A shared model whose tokenizer.json normalizer is a BertNormalizer with these fields. */
  static BertTokenizer withNormalizer(String model, String fields) {
    Path dir = copy(model, "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");
    replaceNormalizer(dir, "{\"type\": \"BertNormalizer\", " + fields + "}");
    return load(dir);
  }

  /** Replaces the normalizer object of {@code dir/tokenizer.json} by {@code normalizerJson}. */
  static void replaceNormalizer(Path dir, String normalizerJson) {
    String json = read(dir.resolve("tokenizer.json"));
    int start = json.indexOf("\"normalizer\"");
    int open = json.indexOf('{', start);
    int close = json.indexOf('}', open);
    write(dir.resolve("tokenizer.json"), json.substring(0, open) + normalizerJson + json.substring(close + 1));
  }

  /** A temporary directory with copies of the named files of a shared model (absent ones skipped). */
  static Path copy(String model, String... files) {
    try {
      Path dir = Files.createTempDirectory("jbert-tokenizer-test");
      for (String file : files) {
        Path source = Shared.model(model).resolve(file);
        if (Files.exists(source)) {
          Files.copy(source, dir.resolve(file));
        }
      }
      deleteOnExit(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BertTokenizer load(Path dir) {
    try {
      return BertTokenizer.fromPretrained(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path file, String content) {
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteOnExit(Path dir) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // best effort: it is a temporary directory
      }
    }));
  }
}
