package dev.jbert.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a file so that readers see either the old content or the complete new one: the bytes go to
 * a temporary file in the same directory, are forced to disk, and the temporary file is renamed
 * over the target. On any failure the temporary file is removed and the target is left untouched.
 */
final class AtomicFiles {
  private AtomicFiles() {}

  /** Produces the content of the file. */
  @FunctionalInterface
  interface Content {
    void writeTo(FileChannel channel) throws IOException;
  }

  /** Writes {@code content} to {@code target} atomically. */
  static void write(Path target, Content content) throws IOException {
    Path tmp = temporarySibling(target);
    boolean renamed = false;
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        content.writeTo(channel);
        channel.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      renamed = true;
    } finally {
      if (!renamed) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Moves a finished temporary file over {@code target} in one step. */
  static void publish(Path tmp, Path target) throws IOException {
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** A fresh, hidden name beside {@code target} (same directory, so the rename stays atomic). */
  static Path temporarySibling(Path target) {
    Path absolute = target.toAbsolutePath();
    return absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }
}
