package dev.jbert.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/** Runs {@code jbert} in-process with a given stdin and captures stdout, stderr and the exit code. */
record CliRun(int exitCode, List<String> out, String err) {

  static CliRun withStdin(String stdin, String... args) {
    InputStream savedIn = System.in;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      CommandLine cl = JbertCli.commandLine(args);            // as main builds it: only the subcommand named
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(err));
      int code = cl.execute(args);
      return new CliRun(code, out.toString().lines().toList(), err.toString());
    } finally {
      System.setIn(savedIn);
    }
  }

  static CliRun run(String... args) {
    return withStdin("", args);
  }

  /** {@code <shared>/models/<name>}; fails clearly when the shared folder is missing. */
  static Path model(String name) {
    String shared = System.getProperty("jbert.shared");
    Path dir = shared == null ? null : Path.of(shared, "models", name);
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalStateException("shared model " + name + " not found (system property jbert.shared = " + shared + ")");
    }
    return dir;
  }
}
