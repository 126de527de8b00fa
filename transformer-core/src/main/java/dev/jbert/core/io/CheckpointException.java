package dev.jbert.core.io;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that cannot be read: says which file and what is wrong with it. */
public final class CheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  /** @param file the file being read; @param problem what is wrong, naming the tensor where there is one */
  public CheckpointException(Path file, String problem) {
    super(file + ": " + problem);
  }
}
