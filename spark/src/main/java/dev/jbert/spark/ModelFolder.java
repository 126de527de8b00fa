package dev.jbert.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.apache.spark.SparkEnv;

/**
 * A model folder as one JVM sees it: where it is, and a stamp of its files that changes when the
 * folder is written again (so a JVM that cached the old weights loads the new ones).
 *
 * @param dir the absolute, normalised folder
 * @param newestModified the newest modification time of its entries, in ms since the epoch
 * @param totalSize the total size of its files in bytes
 */
record ModelFolder(Path dir, long newestModified, long totalSize) {

  /**
   * The folder at {@code path}, checked to be readable here.
   *
   * @throws IllegalArgumentException naming the path and this JVM when it is not a readable folder
   *     with a {@code config.json}
   */
  static ModelFolder open(String path) {
    Path dir = Path.of(path).toAbsolutePath().normalize();
    Path config = dir.resolve("config.json");
    if (!Files.isDirectory(dir) || !Files.isReadable(config)) {
      String what = !Files.exists(dir) ? "does not exist" : !Files.isDirectory(dir) ? "is not a folder"
          : "has no readable config.json";
      throw new IllegalArgumentException("jbert model path '" + path + "' (" + dir + ") " + what + " on "
          + where() + "; the model folder must be readable at the same path on the driver and every"
          + " executor (a shared file system, or a copy at that path on each machine)");
    }
    long newest = 0;
    long size = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        newest = Math.max(newest, a.lastModifiedTime().toMillis());
        size += a.isRegularFile() ? a.size() : 0;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("jbert model path '" + path + "' cannot be listed on " + where(), e);
    }
    return new ModelFolder(dir, newest, size);
  }

  /** {@code executor ID on HOST}, or the host alone outside Spark, for messages. */
  static String where() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "an unknown host";
    }
    SparkEnv env = SparkEnv.get();
    return env == null ? host : "executor " + env.executorId() + " on " + host;
  }
}
