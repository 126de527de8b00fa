package dev.jbert.core.backend;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process environment as native libraries see it. OpenBLAS and libgomp read their settings
 * from it once, when they are loaded, so {@link Backend#init()} sets jbert's defaults here before
 * ND4J loads them: an application that uses jbert as a library gets the same thread behaviour as
 * {@code bin/jbert} without exporting variables. (Java's {@link System#getenv} is a copy taken at
 * start-up and cannot be changed.)
 */
final class NativeEnvironment {

  private static final Logger LOG = LoggerFactory.getLogger(NativeEnvironment.class);

  /** The two functions of the C library used here. */
  interface LibC extends Library {
    int setenv(String name, String value, int overwrite);

    String getenv(String name);
  }

  private static LibC libc;
  private static boolean unavailable;

  private NativeEnvironment() {}

  /** Sets {@code name} to {@code value} unless it is set already; false if the C library cannot be reached. */
  static synchronized boolean setDefault(String name, String value) {
    LibC c = libc();
    if (c == null) {
      return false;
    }
    if (c.setenv(name, value, 0) != 0) {
      LOG.warn("could not set {}={} in the process environment", name, value);
      return false;
    }
    return true;
  }

  /** The value native code sees for {@code name}, or null (also when the C library cannot be reached). */
  static synchronized String get(String name) {
    LibC c = libc();
    return c == null ? System.getenv(name) : c.getenv(name);
  }

  /**
   * Whether a shared library whose file name starts with {@code prefix} is mapped into this process
   * (read from {@code /proc/self/maps}; false where that file does not exist).
   */
  static boolean isLoaded(String prefix) {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return false;
    }
    try (Stream<String> lines = Files.lines(maps)) {
      return lines.anyMatch(line -> {
        int slash = line.lastIndexOf('/');
        return slash >= 0 && line.startsWith(prefix, slash + 1);
      });
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

    @SuppressWarnings("deprecation") // Native.load is JNA 5 only; ND4J brings JNA 4
  private static LibC libc() {
    if (libc == null && !unavailable) {
      try {
        libc = (LibC) Native.loadLibrary("c", LibC.class);
      } catch (Throwable e) { // UnsatisfiedLinkError, or no JNA native stub for this platform
        unavailable = true;
        LOG.warn("cannot reach the C library ({}); set OMP_WAIT_POLICY=PASSIVE and OPENBLAS_THREAD_TIMEOUT=4 "
            + "in the environment for full speed", e.toString());
      }
    }
    return libc;
  }
}
