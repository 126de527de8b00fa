package dev.jbert.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The one way jbert replaces files and folders, so that readers (and a run killed at any moment, or
 * a power cut) see either the old content or the complete new one:
 *
 * <ol>
 *   <li>the bytes go to a fresh hidden temporary file beside the target ({@code .NAME.<uuid>.tmp},
 *       same folder, so the rename stays atomic; created with the default permissions, unlike
 *       {@code Files.createTempFile}, whose owner-only mode the rename would keep);
 *   <li>the file is forced to disk ({@code fsync});
 *   <li>it is renamed over the target;
 *   <li>the folder is forced to disk, so that the rename itself survives a crash.
 * </ol>
 *
 * On any failure the temporary file is removed and the target is left untouched. Folders are
 * replaced the same way, whole ({@link #replaceDirectory}).
 */
public final class AtomicFiles {

  private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private AtomicFiles() {}

  /** Fills the stream it is given with the file's content (the stream is buffered; do not close it). */
  @FunctionalInterface
  public interface StreamContent {
    /** Writes the content to {@code out}. */
    void writeTo(OutputStream out) throws IOException;
  }

  /** Fills the channel it is given with the file's content (do not close it). */
  @FunctionalInterface
  public interface ChannelContent {
    /** Writes the content to {@code channel}. */
    void writeTo(FileChannel channel) throws IOException;
  }

  /** Writes {@code content} to {@code target} atomically and durably, creating missing parent folders. */
  public static void write(Path target, StreamContent content) throws IOException {
    writeChannel(target, channel -> {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
      content.writeTo(out);
      out.flush(); // not close: the channel is forced and closed by writeChannel
    });
  }

  /** {@link #write(Path, StreamContent)} for content written straight to a {@link FileChannel}. */
  public static void writeChannel(Path target, ChannelContent content) throws IOException {
    Path absolute = target.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path tmp = temporarySibling(absolute);
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        content.writeTo(channel);
        channel.force(true);
      }
      publish(tmp, absolute);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Writes {@code bytes} to {@code target} atomically. */
  public static void writeBytes(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  /** Writes {@code text} as UTF-8 to {@code target} atomically. */
  public static void writeString(Path target, String text) throws IOException {
    writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A fresh, hidden name beside {@code target} (same folder, so that renaming it over the target is atomic). */
  public static Path temporarySibling(Path target) {
    Path absolute = target.toAbsolutePath();
    return absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  /** Forces a finished file's content to disk. */
  public static void sync(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  /**
   * Moves a finished (and synced) temporary file or folder over {@code target} in one step, then
   * syncs the folder that holds them. A filesystem without atomic renames gets a plain replacing move.
   */
  public static void publish(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Forces a folder's entries (created, renamed and removed names) to disk. Windows cannot open a
   * folder for this; its renames are durable when they return, so nothing is done there.
   */
  public static void syncDirectory(Path dir) throws IOException {
    if (WINDOWS) {
      return;
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /**
   * Replaces folder {@code target} by the complete folder {@code staged} (same parent): {@code
   * target → aside}, {@code staged → target}, then {@code aside} is deleted. Between the two renames
   * only {@code aside} and {@code staged} exist, both complete; whatever reads the folders falls back
   * to {@code aside} in that moment, or calls this again, which finishes the swap.
   *
   * @param aside where the old folder waits for deletion, e.g. {@code checkpoint.old}
   */
  public static void replaceDirectory(Path staged, Path target, Path aside) throws IOException {
    if (Files.exists(target)) {
      deleteTree(aside); // a leftover of an earlier swap that ended after its second rename
      Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(target.toAbsolutePath().getParent());
    deleteTree(aside);
  }

  /** Deletes a file or a folder with everything in it; nothing when it does not exist. */
  public static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(path)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : paths) {
      Files.delete(p);
    }
  }
}
