package dev.jbert.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Runs one measurement in a fresh JVM with this JVM's options and class path, so that its peak
 * resident memory is its own: the child prints its result as one line {@code RESULT {json}}, which
 * is read back; its other output is passed through.
 *
 * <p>Two sides timed beside each other ({@link #runAlternating}) run in two such JVMs at once, their
 * timed runs taken in turns: each worker warms up alone, says {@code READY} and then times one run
 * per {@code RUN} line on its stdin ({@link #runsOnRequest}), while the other waits on its stdin.
 * On the project's shared machines a neighbour's load comes and goes over seconds to minutes, so
 * back-to-back blocks of runs (one side's, then the other's) put whatever the neighbour did into the
 * ratio; taken in turns, both sides see the same minutes.
 */
final class ChildJvm {

  /** The prefix of the one line a worker prints its result on. */
  static final String RESULT = "RESULT ";

  /** A worker's line when it has warmed up and waits for {@link #RUN} lines. */
  static final String READY = "READY";

  /** The parent's line that asks for one timed run, and the prefix of the worker's answer ({@code RUN <ms>}). */
  static final String RUN = "RUN";

  /** Makes a worker (jbert's or ONNX Runtime's) time its runs on request ({@link #runsOnRequest}). */
  static final String ON_REQUEST = "--on-request";

  /** The pause before each turn: the side that just ran lets its idle threads go to sleep first. */
  private static final long TURN_PAUSE_MS = 200;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A worker: its main class and arguments. */
  record Worker(Class<?> main, List<String> args) {}

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
    Worker w = new Worker(main, args);
    Process p = start(w);
    try (BufferedReader out = stdout(p)) {
      return result(w, p, out, type);
    }
  }

  /**
   * Starts every worker (each warms up alone, up to its {@code READY}), then asks them in turn for
   * {@code runs} timed runs (worker 1's first, worker 2's first, worker 1's second, ...), then closes
   * their stdin and returns their {@code RESULT} lines as {@code type}, in the workers' order.
   *
   * @throws IllegalStateException when a worker fails, or prints no result
   */
  static <T> List<T> runAlternating(List<Worker> workers, int runs, Class<T> type)
      throws IOException, InterruptedException {
    List<Process> processes = new ArrayList<>();
    List<BufferedReader> outs = new ArrayList<>();
    try {
      for (Worker w : workers) {
        Process p = start(w);
        processes.add(p);
        outs.add(stdout(p));
        untilLine(w, outs.get(outs.size() - 1), READY);
      }
      for (int r = 0; r < runs; r++) {
        for (int i = 0; i < workers.size(); i++) {
          Thread.sleep(TURN_PAUSE_MS);
          OutputStream in = processes.get(i).getOutputStream();
          in.write((RUN + "\n").getBytes(StandardCharsets.UTF_8));
          in.flush();
          untilLine(workers.get(i), outs.get(i), RUN + " ");
        }
      }
      List<T> results = new ArrayList<>();
      for (int i = 0; i < workers.size(); i++) {
        processes.get(i).getOutputStream().close();
        results.add(result(workers.get(i), processes.get(i), outs.get(i), type));
      }
      return results;
    } finally {
      processes.forEach(Process::destroy);
    }
  }

  /**
   * In a worker of {@link #runAlternating}: says {@code READY}, then calls {@code timedRun} once per
   * {@code RUN} line on stdin, answering {@code RUN <ms>}, until stdin ends; returns the times.
   */
  static double[] runsOnRequest(DoubleSupplier timedRun) throws IOException {
    System.out.println(READY);
    System.out.flush();
    List<Double> ms = new ArrayList<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (!line.equals(RUN)) {
        throw new IllegalArgumentException("expected '" + RUN + "' on stdin, got '" + line + "'");
      }
      double t = timedRun.getAsDouble();
      ms.add(t);
      System.out.println(RUN + " " + t);
      System.out.flush();
    }
    if (ms.isEmpty()) {
      throw new IllegalStateException("stdin ended before any " + RUN + " line");
    }
    return ms.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static Process start(Worker w) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), w.main().getName()));
    command.addAll(w.args());
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** Passes the worker's lines through until one that starts with {@code prefix} (not printed). */
  private static void untilLine(Worker w, BufferedReader out, String prefix) throws IOException {
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith(prefix)) {
        return;
      }
      System.out.println(line);
    }
    throw new IllegalStateException(name(w) + " ended before its '" + prefix.strip() + "' line");
  }

  private static BufferedReader stdout(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Reads the worker's output to its end, passing every line through but its {@code RESULT} line,
   * which it returns as {@code type} once the worker has exited 0.
   */
  private static <T> T result(Worker w, Process p, BufferedReader out, Class<T> type)
      throws IOException, InterruptedException {
    T result = null;
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith(RESULT)) {
        result = JSON.readValue(line.substring(RESULT.length()), type);
      } else {
        System.out.println(line);
      }
    }
    int exit = p.waitFor();
    if (exit != 0 || result == null) {
      throw new IllegalStateException(name(w) + " failed in its JVM (exit " + exit
          + (result == null ? ", no result line" : "") + ")");
    }
    return result;
  }

  private static String name(Worker w) {
    return w.main().getSimpleName() + " " + String.join(" ", w.args());
  }
}
