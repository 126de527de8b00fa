package dev.jbert.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one measurement in a fresh JVM with this JVM's options and class path, so that its peak
 * resident memory is its own: the child prints its result as one line {@code RESULT {json}}, which
 * is read back; its other output is passed through.
 */
final class ChildJvm {

  /** The prefix of the one line a worker prints its result on. */
  static final String RESULT = "RESULT ";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ChildJvm() {}

  /** Prints {@code result} as the worker's {@code RESULT} line. */
  static void printResult(Object result) throws IOException {
    System.out.println(RESULT + JSON.writeValueAsString(result));
  }

  /**
   * Starts {@code java <this JVM's options> -cp <this class path> main args...}, waits for it and
   * returns its {@code RESULT} line as {@code type}.
   *
   * @throws IllegalStateException when the child fails or prints no result
   */
  static <T> T run(Class<?> main, List<String> args, Class<T> type) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    T result = null;
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith(RESULT)) {
          result = JSON.readValue(line.substring(RESULT.length()), type);
        } else {
          System.out.println(line);
        }
      }
    }
    int exit = p.waitFor();
    if (exit != 0 || result == null) {
      throw new IllegalStateException(main.getSimpleName() + " " + String.join(" ", args) + " failed in its JVM (exit "
          + exit + (result == null ? ", no result line" : "") + ")");
    }
    return result;
  }
}
