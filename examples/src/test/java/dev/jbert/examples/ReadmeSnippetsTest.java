package dev.jbert.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The READMEs' Java snippets are the marked regions of the example classes ({@code // README:begin
 * NAME} … {@code // README:end}), which the build compiles: each region must appear in one of the
 * READMEs verbatim (de-indented) as a {@code java} block, and each {@code java} block of those
 * READMEs must be one of the regions, so the two cannot drift apart.
 */
class ReadmeSnippetsTest {

  private static final Pattern BEGIN = Pattern.compile("^\\s*// README:begin (\\S+)\\s*$");
  private static final Pattern END = Pattern.compile("^\\s*// README:end\\s*$");
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  /** The READMEs with java blocks. */
  private static final List<String> READMES = List.of("README.md", "tokenizer/README.md", "transformer-core/README.md",
      "optim/README.md", "finetune-cs/README.md");

  /** The project root: surefire runs in the module folder. */
  private static Path root() {
    Path root = Path.of("").toAbsolutePath().getParent();
    assertTrue(Files.isRegularFile(root.resolve("README.md")), "no README.md in " + root);
    return root;
  }

  @Test
  void everyReadmeJavaSnippetIsACompiledExampleRegion() throws IOException {
    Path root = root();
    Map<String, String> regions = regions(root.resolve("examples/src/main/java"));
    assertTrue(regions.containsKey("load-model") && regions.containsKey("fine-tune-and-predict")
        && regions.containsKey("training-step") && regions.containsKey("tokenize")
        && regions.containsKey("optimizer-loop"), regions.keySet().toString());
    List<String> allBlocks = new ArrayList<>();
    for (String readme : READMES) {
      Matcher m = JAVA_BLOCK.matcher(Files.readString(root.resolve(readme), StandardCharsets.UTF_8));
      while (m.find()) {
        assertTrue(regions.containsValue(m.group(1)), "this java block of " + readme + " is no example region (mark it in"
            + " an example class with // README:begin NAME ... // README:end so that it is compiled):\n" + m.group(1));
        allBlocks.add(m.group(1));
      }
    }
    for (Map.Entry<String, String> region : regions.entrySet()) {
      assertTrue(allBlocks.contains(region.getValue()), "no README of " + READMES + " has the example region '"
          + region.getKey() + "' as a java block, verbatim:\n" + region.getValue());
    }
  }

  @Test
  void regionsAreDeindentedAsTheyAppear() {
    List<String> source = List.of("class A {", "  void f() {", "    // README:begin x", "    int a = 1;", "      a++;",
        "", "    // README:end", "  }", "}");
    assertEquals(Map.of("x", "int a = 1;\n  a++;\n\n"), regions(source, Path.of("A.java")));
  }

  /** Every region of the Java files under {@code dir}, by name. */
  private static Map<String, String> regions(Path dir) throws IOException {
    Map<String, String> all = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        for (Map.Entry<String, String> region : regions(Files.readAllLines(file, StandardCharsets.UTF_8), file).entrySet()) {
          assertFalse(all.containsKey(region.getKey()), "region '" + region.getKey() + "' is marked twice");
          all.put(region.getKey(), region.getValue());
        }
      }
    }
    return all;
  }

  /** The regions of one file, de-indented by their least-indented non-blank line, each line ending in a line break. */
  private static Map<String, String> regions(List<String> lines, Path file) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher begin = BEGIN.matcher(lines.get(i));
      if (!begin.matches()) {
        continue;
      }
      List<String> body = new ArrayList<>();
      int j = i + 1;
      while (j < lines.size() && !END.matcher(lines.get(j)).matches()) {
        body.add(lines.get(j++));
      }
      if (j == lines.size()) {
        fail(file + ":" + (i + 1) + ": region '" + begin.group(1) + "' has no // README:end");
      }
      int indent = body.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
      StringBuilder text = new StringBuilder();
      for (String line : body) {
        text.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
      }
      out.put(begin.group(1), text.toString());
      i = j;
    }
    return out;
  }
}
