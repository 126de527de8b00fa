package dev.jbert.core.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The first processor's entry of {@code /proc/cpuinfo}: what {@link OpenBlasCoreType} and {@link
 * BlasLibrary} decide by.
 *
 * @param vendor {@code vendor_id}, e.g. GenuineIntel or AuthenticAMD; null where not read
 * @param family {@code cpu family}, -1 where not read
 * @param model {@code model}: the extended model in its upper four bits; -1 where not read
 * @param flags {@code flags} as Linux names them (avx2, avx512vl, avx512_bf16, ...)
 */
record CpuInfo(String vendor, int family, int model, Set<String> flags) {

  /** Nothing known: not Linux, or the file could not be read. */
  static final CpuInfo UNKNOWN = new CpuInfo(null, -1, -1, Set.of());

  /** This machine's CPU; {@link #UNKNOWN} where {@code /proc/cpuinfo} is missing or unreadable. */
  static CpuInfo thisMachine() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return UNKNOWN;
    }
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return parse(lines);                                    // read lazily: the first processor only
    } catch (IOException | RuntimeException e) {
      return UNKNOWN;
    }
  }

  /** The first processor's entry of a {@code /proc/cpuinfo}, read no further than the blank line that ends it. */
  static CpuInfo parse(Stream<String> lines) {
    String vendor = null;
    int family = -1;
    int model = -1;
    Set<String> flags = Set.of();
    for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
      String line = it.next();
      if (line.isBlank() && vendor != null) {
        break;                                                // end of the first processor
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      switch (key) {
        case "vendor_id" -> vendor = value;
        case "cpu family" -> family = Integer.parseInt(value);
        case "model" -> model = Integer.parseInt(value);
        case "flags" -> flags = Set.copyOf(Arrays.asList(value.split("\\s+")));
        default -> { }
      }
    }
    return new CpuInfo(vendor, family, model, flags);
  }

  /** Whether the CPU is Intel's. */
  boolean intel() {
    return "GenuineIntel".equals(vendor);
  }
}
