package dev.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The packages of finetune-cs depend on each other one way only. The dependencies are read from the
 * compiled classes by the JDK's {@code jdeps} (so a Javadoc link does not count, a fully qualified
 * name in code does).
 */
class PackageCyclesTest {

  private static final Pattern EDGE =
      Pattern.compile("^\\s*(dev\\.jbert\\.finetune\\S*)\\s+->\\s+(dev\\.jbert\\.finetune\\S*)\\s", Pattern.MULTILINE);

  @Test
  void noPackageCycles() {
    Path classes = Path.of("target", "classes");
    assertTrue(Files.isDirectory(classes.resolve("dev/jbert/finetune")), "compiled classes in " + classes.toAbsolutePath());
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("jdeps needs a JDK"));
    StringWriter out = new StringWriter();
    int code = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", classes.toString());
    assertEquals(0, code, out.toString());

    Map<String, Set<String>> uses = new TreeMap<>();
    Matcher m = EDGE.matcher(out.toString());
    while (m.find()) {
      if (!m.group(1).equals(m.group(2))) {
        uses.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
      }
    }
    assertTrue(uses.containsKey("dev.jbert.finetune.train"), "jdeps output was read:\n" + out);
    List<String> cycles = new ArrayList<>();
    for (String start : uses.keySet()) {
      findCycles(start, start, new ArrayList<>(List.of(start)), uses, cycles);
    }
    assertEquals(List.of(), cycles, "package cycles (each listed from its alphabetically first package)");
  }

  /** Paths from {@code start} back to it through packages that sort after it (each cycle found once). */
  private static void findCycles(String start, String at, List<String> path, Map<String, Set<String>> uses, List<String> cycles) {
    for (String next : uses.getOrDefault(at, Set.of())) {
      if (next.equals(start)) {
        cycles.add(String.join(" -> ", path) + " -> " + start);
      } else if (next.compareTo(start) > 0 && !path.contains(next)) {
        path.add(next);
        findCycles(start, next, path, uses, cycles);
        path.remove(path.size() - 1);
      }
    }
  }
}
