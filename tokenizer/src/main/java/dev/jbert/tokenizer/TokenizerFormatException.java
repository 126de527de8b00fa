package dev.jbert.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** A tokenizer file that cannot be used: the message names the file and what is wrong with it. */
public final class TokenizerFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /**
   * @param file the offending file
   * @param problem what is wrong, e.g. {@code "unk_token '[UNK]' is not in the vocabulary"}
   */
  public TokenizerFormatException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  /** The offending file. */
  public Path file() {
    return file;
  }
}
