package dev.jbert.optim;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the position of a tensor in the BERT stack from its Hugging Face name, with or without the
 * {@code bert.} prefix of task models: {@code embeddings.*} at the bottom, then
 * {@code encoder.layer.{i}.*}, then everything else (pooler, classifier, other heads) on top.
 */
public final class BertNames {

  private static final Pattern ENCODER_LAYER = Pattern.compile("(?:^|\\.)encoder\\.layer\\.(\\d+)\\.");
  private static final Pattern EMBEDDINGS = Pattern.compile("(?:^|\\.)embeddings\\.");

  private BertNames() {}

  /** The encoder layer index in {@code ...encoder.layer.{i}.…}, if the name has one. */
  public static OptionalInt encoderLayer(String name) {
    Matcher m = ENCODER_LAYER.matcher(name);
    return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
  }

  /** Whether the tensor belongs to the embeddings block ({@code bert.embeddings.*}). */
  public static boolean isEmbeddings(String name) {
    return EMBEDDINGS.matcher(name).find();
  }
}
