package dev.jbert.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The shared models and references beside the checkout ({@code -Djbert.shared}, set by Surefire). */
final class Shared {

  static final String MINILM = "all-MiniLM-L6-v2";
  static final String BGE_ZH = "bge-small-zh-v1.5";
  static final String TINY = "tiny-random-bert";

  private static final Map<String, BertTokenizer> LOADED = new ConcurrentHashMap<>();

  private Shared() {}

  static Path root() {
    String property = System.getProperty("jbert.shared");
    if (property == null) {
      throw new IllegalStateException("system property jbert.shared is not set (Surefire sets it to ../shared)");
    }
    Path root = Path.of(property);
    if (!Files.isDirectory(root.resolve("models"))) {
      throw new IllegalStateException("shared models not found at " + root.toAbsolutePath()
          + "; the tests need ../shared beside the checkout");
    }
    return root;
  }

  static Path model(String name) {
    return root().resolve("models").resolve(name);
  }

  /** The tokenizer of a shared model, loaded once per test run. */
  static BertTokenizer tokenizer(String name) {
    return LOADED.computeIfAbsent(name, n -> {
      try {
        return BertTokenizer.fromPretrained(model(n));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
