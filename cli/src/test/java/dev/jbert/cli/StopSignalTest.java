package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jbert train} in a child JVM that gets SIGTERM or SIGINT (Ctrl-C) in its second epoch: it
 * stops after the current step, writes a checkpoint, prints the command that resumes and exits with
 * the signal's status; {@code train --resume} then ends bit for bit where a run never stopped ends.
 */
class StopSignalTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long STEPS_PER_EPOCH = 40; // 320 examples, batch 8
  private static final Pattern STOPPED = Pattern.compile("stopped after step (\\d+); checkpoint in (\\S+)");

  @TempDir static Path tmp;
  private static Path straight;

  private static List<String> args(Path output) throws Exception {
    Path train = tmp.resolve("train.csv");
    if (!Files.exists(train)) {
      Tickets.csv(train, 80, 1);
      Tickets.csv(tmp.resolve("eval.csv"), 10, 2);
    }
    return new ArrayList<>(List.of("train", "--model", CliRun.model("tiny-random-bert-large-init").toString(),
        "--train", train.toString(), "--eval", tmp.resolve("eval.csv").toString(), "--task", "intent",
        "--output", output.toString(), "--epochs", "3", "--lr", "1e-2", "--batch-size", "8", "--logging-steps", "1"));
  }

  @BeforeAll
  static void uninterrupted() throws Exception {
    straight = tmp.resolve("straight");
    CliRun run = CliRun.run(args(straight).toArray(String[]::new));
    assertEquals(0, run.exitCode(), run.err());
  }

  @ParameterizedTest(name = "SIG{0}")
  @ValueSource(strings = {"TERM", "INT"})
  void aSignalStopsWithACheckpointThatResumesExactly(String signal) throws Exception {
    if (signal.equals("INT")) {
      // A JVM started with SIGINT ignored (e.g. from a non-interactive shell's background job) keeps ignoring it.
      Assumptions.assumeFalse(sigintIgnored(), "SIGINT is ignored in this process tree, so a child JVM cannot get it");
    }
    Path output = tmp.resolve("stopped-" + signal);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        JbertCli.class.getName()));
    command.addAll(args(output));
    Path log = tmp.resolve("child-" + signal + ".log");
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      KillAndResumeTest.waitForStep(KillAndResumeTest.partial(output).resolve("training_log.jsonl"), STEPS_PER_EPOCH + 7, child);
      new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).inheritIO().start().waitFor();
      assertTrue(child.waitFor(2, TimeUnit.MINUTES), "the child ended after SIG" + signal);
    } finally {
      child.destroyForcibly();
    }
    String printed = Files.readString(log);
    assertEquals(signal.equals("TERM") ? 143 : 130, child.exitValue(), printed);
    Matcher stopped = STOPPED.matcher(printed);
    assertTrue(stopped.find(), printed);
    long step = Long.parseLong(stopped.group(1));
    Path checkpoint = Path.of(stopped.group(2));
    assertEquals(KillAndResumeTest.partial(output).resolve("checkpoint"), checkpoint);
    JsonNode state = JSON.readTree(checkpoint.resolve("trainer_state.json").toFile());
    assertEquals(step, state.get("step").asLong(), "the checkpoint is of the step it stopped after");
    assertTrue(step >= STEPS_PER_EPOCH + 7 && step < 3 * STEPS_PER_EPOCH, "stopped in the second epoch or later: " + step);
    assertFalse(state.get("finished").asBoolean());
    assertTrue(printed.contains("continue with: jbert train --model "), printed);
    assertTrue(printed.strip().endsWith(" --resume"), printed);
    assertFalse(Files.exists(output), "the output folder appears only when the run is complete");

    List<String> resume = args(output);
    resume.add("--resume");
    CliRun resumed = CliRun.run(resume.toArray(String[]::new));
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertTrue(resumed.out().get(0).endsWith("resuming after step " + step), resumed.out().get(0));
    for (String file : List.of("model.safetensors", "checkpoint/model.safetensors", "checkpoint/optimizer.safetensors",
        "metrics.json")) {
      assertArrayEquals(Files.readAllBytes(straight.resolve(file)), Files.readAllBytes(output.resolve(file)), file);
    }
  }

  /**
   * SIGTERM after training, while the kept model is scored (3,200 rows, about 3 s): the run finishes
   * its report and output folder before the JVM exits. (Writing the charts failed here with
   * "Shutdown in progress": ImageIO's file cache registers a shutdown hook.)
   */
  @Test
  void aSignalAfterTrainingLetsTheReportFinish() throws Exception {
    Path train = Tickets.csv(tmp.resolve("big.csv"), 800, 3);
    Path output = tmp.resolve("reported");
    Path log = tmp.resolve("child-report.log");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Djbert.stacktrace=true", "-cp", System.getProperty("java.class.path"),
        JbertCli.class.getName(), "train", "--model", CliRun.model("tiny-random-bert-large-init").toString(), "--train",
        train.toString(), "--task", "intent", "--output", output.toString(), "--epochs", "1", "--batch-size", "64",
        "--validation-split", "0").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (!Files.readString(log).contains("training finished") && System.nanoTime() < deadline && child.isAlive()) {
        Thread.sleep(5);
      }
      child.destroy(); // SIGTERM
      assertTrue(child.waitFor(2, TimeUnit.MINUTES), "the child ended");
    } finally {
      child.destroyForcibly();
    }
    String printed = Files.readString(log);
    assertTrue(printed.contains("jbert: stopping after the current step"), "the signal came during the report: " + printed);
    assertEquals(143, child.exitValue(), printed);
    assertTrue(printed.contains("saved the fine-tuned model to " + output), printed);
    for (String file : List.of("model.safetensors", "metrics.json", "learning_curve.png", "confusion_matrix.png")) {
      assertTrue(Files.isRegularFile(output.resolve(file)), file + "\n" + printed);
    }
    assertFalse(Files.exists(KillAndResumeTest.partial(output)));
  }

  /** Whether this JVM (and so a child it starts) ignores SIGINT: bit 2 of SigIgn in /proc/self/status. */
  private static boolean sigintIgnored() throws Exception {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0x2) != 0;
      }
    }
    return false;
  }
}
