package dev.jbert.core;

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

/**
 * The dependencies between a module's packages, read from its compiled classes by the JDK's {@code
 * jdeps} (so a Javadoc link does not count, a fully qualified name in code does), and their cycles.
 * For the modules' {@code PackageCyclesTest}s: dependencies between packages point one way.
 *
 * @param uses per package under the prefix, the other packages under it that its classes use
 */
public record PackageCycles(Map<String, Set<String>> uses) {

  /** The packages under {@code prefix} in {@code target/classes} and what they use of each other. */
  public static PackageCycles read(String prefix) {
    Path classes = Path.of("target", "classes");
    assertTrue(Files.isDirectory(classes.resolve(prefix.replace('.', '/'))), "compiled classes in " + classes.toAbsolutePath());
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("jdeps needs a JDK"));
    StringWriter out = new StringWriter();
    int code = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", classes.toString());
    assertEquals(0, code, out.toString());

    String pkg = Pattern.quote(prefix) + "\\S*";
    Matcher m = Pattern.compile("^\\s*(" + pkg + ")\\s+->\\s+(" + pkg + ")\\s", Pattern.MULTILINE).matcher(out.toString());
    Map<String, Set<String>> uses = new TreeMap<>();
    while (m.find()) {
      if (!m.group(1).equals(m.group(2))) {
        uses.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
      }
    }
    return new PackageCycles(uses);
  }

  /** Each cycle, listed from its alphabetically first package ({@code a -> b -> a}). */
  public List<String> cycles() {
    List<String> cycles = new ArrayList<>();
    for (String start : uses.keySet()) {
      find(start, start, new ArrayList<>(List.of(start)), cycles);
    }
    return cycles;
  }

  /** Paths from {@code start} back to it through packages that sort after it (each cycle found once). */
  private void find(String start, String at, List<String> path, List<String> cycles) {
    for (String next : uses.getOrDefault(at, Set.of())) {
      if (next.equals(start)) {
        cycles.add(String.join(" -> ", path) + " -> " + start);
      } else if (next.compareTo(start) > 0 && !path.contains(next)) {
        path.add(next);
        find(start, next, path, cycles);
        path.remove(path.size() - 1);
      }
    }
  }
}
