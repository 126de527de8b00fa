package dev.jbert.optim;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Selects parameter tensors by Hugging Face name: which to freeze, which to exempt from weight
 * decay. Immutable; {@link #toString()} says what it matches.
 */
public final class NameFilter implements Predicate<String> {

  private static final NameFilter NONE = new NameFilter(name -> false, "none");

  private final Predicate<String> test;
  private final String description;

  private NameFilter(Predicate<String> test, String description) {
    this.test = test;
    this.description = description;
  }

  /** Matches nothing. */
  public static NameFilter none() {
    return NONE;
  }

  /** Whether this is {@link #none()}. */
  public boolean isNone() {
    return this == NONE;
  }

  /** Matches names that start with any of {@code prefixes}, e.g. {@code bert.embeddings.}. */
  public static NameFilter prefixes(List<String> prefixes) {
    List<String> copy = List.copyOf(prefixes);
    return new NameFilter(name -> copy.stream().anyMatch(name::startsWith), "prefixes" + copy);
  }

  /** Matches names that start with any of {@code prefixes}. */
  public static NameFilter prefixes(String... prefixes) {
    return prefixes(List.of(prefixes));
  }

  /** Matches names that contain any of {@code parts}, e.g. {@code bias} and {@code LayerNorm}. */
  public static NameFilter containing(String... parts) {
    List<String> copy = List.of(parts);
    return new NameFilter(name -> copy.stream().anyMatch(name::contains), "containing" + copy);
  }

  /** Matches names in which the regular expression is found anywhere ({@link java.util.regex.Matcher#find()}). */
  public static NameFilter regex(String regex) {
    Pattern p;
    try {
      p = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid name pattern '" + regex + "': " + e.getDescription(), e);
    }
    return new NameFilter(name -> p.matcher(name).find(), "regex(" + regex + ")");
  }

  /**
   * The usual partial fine-tuning recipe: the embeddings and encoder layers {@code 0 .. n-1};
   * the upper layers, pooler and head stay trainable. {@code n = 0} freezes the embeddings only.
   */
  public static NameFilter embeddingsAndLowerLayers(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("number of frozen encoder layers must be >= 0, got " + n);
    }
    return new NameFilter(
        name -> BertNames.isEmbeddings(name) || BertNames.encoderLayer(name).orElse(Integer.MAX_VALUE) < n,
        "embeddings+layers<" + n);
  }

  /** Hugging Face Trainer's weight-decay exemption: names containing {@code bias} or {@code LayerNorm}. */
  public static NameFilter hfNoDecay() {
    return containing("bias", "LayerNorm");
  }

  /** Matches what either filter matches. */
  public NameFilter or(NameFilter other) {
    return new NameFilter(test.or(other.test), description + "|" + other.description);
  }

  @Override
  public boolean test(String name) {
    return test.test(name);
  }

  @Override
  public String toString() {
    return description;
  }
}
