package dev.jbert.core.io;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears how the files of a hub download go, e.g. to draw a progress bar (the {@code jbert} command
 * line draws one). For each file, on the downloading thread: {@link #started} once, then {@link
 * Transfer#advancedTo} as bytes arrive, then {@link Transfer#close()}, also when the download fails.
 */
public interface DownloadProgress {

  /** Shows nothing. */
  DownloadProgress NONE = (repoId, file, totalBytes) -> bytes -> {};

  /**
   * One file starts downloading.
   *
   * @param repoId the hub model, e.g. {@code sentence-transformers/all-MiniLM-L6-v2}
   * @param file its path in the model, e.g. {@code model.safetensors}
   * @param totalBytes its size as the server announced it, or -1 if it did not
   * @return what hears the rest of this file's download
   */
  Transfer started(String repoId, String file, long totalBytes);

  /** The download of one file. */
  interface Transfer extends AutoCloseable {

    /** {@code bytes} of the file have arrived so far. */
    void advancedTo(long bytes);

    /** The download ended, complete or not. */
    @Override
    default void close() {}
  }

  /**
   * Two lines per file through SLF4J at INFO (logger {@code dev.jbert.core.io.DownloadProgress}):
   * when it starts, with its size, and when it ends, with the bytes received and the time taken.
   * What {@link HubResolver#fromEnvironment()} uses: a library prints nothing on its own.
   */
  static DownloadProgress logging() {
    Logger log = LoggerFactory.getLogger(DownloadProgress.class);
    return (repoId, file, totalBytes) -> {
      log.info("downloading {}/{} ({})", repoId, file, totalBytes < 0 ? "size unknown" : size(totalBytes));
      long start = System.nanoTime();
      long[] received = {0};
      return new Transfer() {
        @Override
        public void advancedTo(long bytes) {
          received[0] = bytes;
        }

        @Override
        public void close() {
          log.info("downloaded {}/{}: {} in {} s", repoId, file, size(received[0]),
              String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        }
      };
    };
  }

  private static String size(long bytes) {
    return bytes < 1_000_000 ? String.format(Locale.ROOT, "%.1f kB", bytes / 1e3)
        : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
