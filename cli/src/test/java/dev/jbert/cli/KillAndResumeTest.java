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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbert train} in a child JVM killed with SIGKILL in its second epoch, then {@code train
 * --resume}: the model and optimizer state at the end are bit for bit those of a run never killed.
 */
class KillAndResumeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long STEPS_PER_EPOCH = 40; // 320 examples, batch 8

  @TempDir Path tmp;

  private List<String> args(Path output) throws Exception {
    Path train = tmp.resolve("train.csv");
    if (!Files.exists(train)) {
      Tickets.csv(train, 80, 1);
      Tickets.csv(tmp.resolve("eval.csv"), 10, 2);
    }
    return new ArrayList<>(List.of("train", "--model", CliRun.model("tiny-random-bert-large-init").toString(),
        "--train", train.toString(), "--eval", tmp.resolve("eval.csv").toString(), "--task", "intent",
        "--output", output.toString(), "--epochs", "3", "--lr", "1e-2", "--batch-size", "8", "--logging-steps", "1"));
  }

  @Test
  void killedRunResumesToTheSameModel() throws Exception {
    Path straight = tmp.resolve("straight");
    CliRun uninterrupted = CliRun.run(args(straight).toArray(String[]::new));
    assertEquals(0, uninterrupted.exitCode(), uninterrupted.err());

    Path killed = tmp.resolve("killed");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        JbertCli.class.getName()));
    command.addAll(args(killed));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
    try {
      waitForStep(partial(killed).resolve("training_log.jsonl"), STEPS_PER_EPOCH + 7, child);
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    JsonNode state = JSON.readTree(partial(killed).resolve("checkpoint/trainer_state.json").toFile());
    assertEquals(STEPS_PER_EPOCH, state.get("step").asLong(), "the checkpoint of epoch 1");
    assertFalse(state.get("finished").asBoolean());

    List<String> resume = args(killed);
    resume.add("--resume");
    CliRun resumed = CliRun.run(resume.toArray(String[]::new));
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertTrue(resumed.out().get(0).endsWith("resuming after step " + STEPS_PER_EPOCH), resumed.out().get(0));
    for (String file : List.of("model.safetensors", "checkpoint/model.safetensors", "checkpoint/optimizer.safetensors",
        "metrics.json")) {
      assertArrayEquals(Files.readAllBytes(straight.resolve(file)), Files.readAllBytes(killed.resolve(file)), file);
    }
  }

  /** The folder a run into {@code output} works in until it is finished. */
  static Path partial(Path output) {
    return output.resolveSibling(output.getFileName() + ".partial");
  }

  /** Waits until the child has logged {@code step} (or fails when it ends first or takes over a minute). */
  static void waitForStep(Path log, long step, Process child) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains("{\"step\":" + step + ",")) {
        return;
      }
      if (!child.isAlive()) {
        throw new AssertionError("the child ended (exit " + child.exitValue() + ") before step " + step);
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the child did not reach step " + step + " within a minute");
  }
}
