package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input ends {@code jbert} with exit code 2 and a message naming file and line. */
class BadInputCliTest {

  @TempDir Path tmp;

  private CliRun train(Path trainFile, String... more) {
    String[] base = {"train", "--model", CliRun.model("tiny-random-bert").toString(), "--train", trainFile.toString(),
        "--task", "intent", "--output", tmp.resolve("out").toString(), "--epochs", "1"};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return CliRun.run(args);
  }

  private void assertFails(CliRun run, String messageStart) {
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("jbert: " + messageStart), run.err());
  }

  @Test
  void emptyFile() throws Exception {
    Path file = Files.writeString(tmp.resolve("empty.csv"), "");
    assertFails(train(file), file + ":1: empty file");
  }

  @Test
  void missingColumn() throws Exception {
    Path file = Files.writeString(tmp.resolve("t.csv"), "message,label\nhello,greeting\n");
    assertFails(train(file), file + ":1: ");
    assertTrue(train(file).err().contains("'text'"));
  }

  @Test
  void badRow() throws Exception {
    Path file = Files.writeString(tmp.resolve("t.csv"), "text,label\nhello,greeting\nmy card,card,oops\n");
    assertFails(train(file), file + ":3: ");
  }

  @Test
  void badJsonLine() throws Exception {
    Path file = Files.writeString(tmp.resolve("t.jsonl"), "{\"text\": \"hi\", \"label\": \"greeting\"}\n{\"text\": \"my card\"}\n");
    assertFails(train(file), file + ":2: missing field 'label'");
  }

  @Test
  void unseenLabelAtEvaluation() throws Exception {
    Path trainFile = Tickets.csv(tmp.resolve("train.csv"), 5, 1);
    Path evalFile = Files.writeString(tmp.resolve("eval.csv"), "text,label\nmy card,card\nwhere is it,shipping\n");
    String unknown = evalFile + ":3: label 'shipping' is not one of the model's 4 labels: account, card, delivery, refund";
    assertFails(train(trainFile, "--eval", evalFile.toString()), unknown);
    assertFalse(Files.exists(tmp.resolve("out").resolve("training_log.jsonl")), "stopped before training");

    // The same file against an already trained model.
    assertEquals(0, train(trainFile, "--max-steps", "1").exitCode());
    CliRun eval = CliRun.run("eval", "--model", tmp.resolve("out").toString(), "--data", evalFile.toString());
    assertFails(eval, unknown);
  }

  @Test
  void badPredictLine() throws Exception {
    Path trainFile = Tickets.csv(tmp.resolve("train.csv"), 5, 1);
    assertEquals(0, train(trainFile, "--max-steps", "1").exitCode());
    CliRun run = CliRun.withStdin("{\"text\": \"my card\"}\n{\"txt\": \"oops\"}\n", "predict", "--model", tmp.resolve("out").toString());
    assertFails(run, "stdin:2: no 'text' field (the message); it has txt");
    assertEquals(1, run.out().size(), "the good line before it was answered");
    CliRun context = CliRun.withStdin("{\"text\": \"my card\", \"context\": [\"hello\"]}\n", "predict", "--model",
        tmp.resolve("out").toString());
    assertFails(context, "stdin:1: this model was trained without earlier turns and takes no context");
  }

  @Test
  void invalidOption() throws Exception {
    Path trainFile = Tickets.csv(tmp.resolve("train.csv"), 5, 1);
    assertFails(train(trainFile, "--lr", "-1"), "learning rate must be >= 0, got -1.0");
    assertFails(train(trainFile, "--r-drop", "-0.5"), "R-Drop weight must be >= 0 (0 = off), got -0.5");
    assertEquals(2, train(trainFile, "--warmup-ratio", "0.1", "--warmup-steps", "3").exitCode(), "mutually exclusive");
  }
}
