package dev.jbert.serve;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One model to serve: the name clients use (in {@code /v1/models/NAME/...} and the {@code model}
 * field) and its folder.
 *
 * @param name letters, digits, {@code . _ -}; at most 64 characters
 * @param dir a fine-tuned jbert classifier or regressor, or any BERT folder (served as an embedding model)
 */
public record ModelSpec(String name, Path dir) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Checks the name (it becomes part of URL paths) and that a folder is given. */
  public ModelSpec {
    Objects.requireNonNull(dir, "dir");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("model name '" + name + "' must be 1 to 64 letters, digits, '.', '_' or '-'"
          + " (starting with a letter or digit), so that it fits in a URL path");
    }
  }

  /**
   * {@code NAME=DIR}, or {@code DIR} alone, named after its last path element (a folder
   * {@code runs/banking77} is served as {@code banking77}).
   */
  public static ModelSpec parse(String text) {
    int eq = text.indexOf('=');
    if (eq > 0 && !text.substring(0, eq).contains("/")) {
      String dir = text.substring(eq + 1);
      if (dir.isBlank()) {
        throw new IllegalArgumentException("--model " + text + ": no folder after '='");
      }
      return new ModelSpec(text.substring(0, eq), Path.of(dir));
    }
    Path dir = Path.of(text);
    Path last = dir.toAbsolutePath().normalize().getFileName();
    if (last == null) {
      throw new IllegalArgumentException("--model " + text + ": cannot name a model after the root folder; use NAME=DIR");
    }
    return new ModelSpec(last.toString(), dir);
  }
}
