package dev.jbert.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Parameters;

/**
 * Texts given on the command line ({@code jbert predict --model DIR "where is my card?"}), each read
 * as the JSON line {@code {"text": TEXT}}, in place of JSON lines on stdin: the commands that read
 * JSON lines take this mixin and read {@link #jsonLines()}.
 */
final class TextArguments {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(arity = "0..*", paramLabel = "TEXT",
      description = "Texts to read, one per argument, each as {\"text\": TEXT}, instead of JSON lines on stdin.")
  List<String> texts = new ArrayList<>();

  /** Whether texts were given as arguments. */
  boolean given() {
    return !texts.isEmpty();
  }

  /** The input as JSON lines: the arguments as {@code {"text": ...}} lines, else stdin. */
  InputStream jsonLines() {
    if (texts.isEmpty()) {
      return System.in;
    }
    StringBuilder lines = new StringBuilder();
    for (String text : texts) {
      try {
        lines.append(JSON.writeValueAsString(Map.of("text", text))).append('\n');
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);                  // a map of one string always serialises
      }
    }
    return new ByteArrayInputStream(lines.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** What an error message calls input line {@code number}: {@code stdin line 3} or {@code argument 3}. */
  String where(int number) {
    return (texts.isEmpty() ? "stdin line " : "argument ") + number;
  }
}
