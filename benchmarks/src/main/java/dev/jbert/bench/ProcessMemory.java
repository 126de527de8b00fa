package dev.jbert.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from {@code /proc/self/status} (Linux), in bytes; -1 elsewhere. */
final class ProcessMemory {

  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcessMemory() {}

  /** {@code VmHWM}: the peak resident set size so far. */
  static long peakResidentBytes() {
    return field("VmHWM:");
  }

  /** {@code VmRSS}: the resident set size now. */
  static long residentBytes() {
    return field("VmRSS:");
  }

  private static long field(String name) {
    if (!Files.isReadable(STATUS)) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(name)) {
          String[] parts = line.substring(name.length()).trim().split("\\s+"); // "1234 kB"
          return Long.parseLong(parts[0]) * 1024;
        }
      }
      return -1;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + STATUS, e);
    }
  }
}
