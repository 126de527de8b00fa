package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jbert predict} in a pipeline: live answers, one line out per line in, echoed fields, bad lines, files. */
class PredictPipelineTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private static Path model;

  @BeforeAll
  static void train() throws Exception {
    Path data = Tickets.csv(tmp.resolve("train.csv"), 10, 1);
    model = tmp.resolve("model");
    CliRun run = CliRun.run("train", "--model", CliRun.model("tiny-random-bert-large-init").toString(), "--train", data.toString(),
        "--task", "intent", "--output", model.toString(), "--max-steps", "3", "--batch-size", "8", "--validation-split", "0");
    assertEquals(0, run.exitCode(), run.err());
  }

  /**
   * A live pipe: the input stays open, yet each line is answered as soon as it is written (the old
   * command held answers until a batch of 32 filled or the input ended).
   */
  @Test
  @Timeout(120)
  void aLinePipedInIsAnsweredWhileTheInputStaysOpen() throws Exception {
    PipedOutputStream feed = new PipedOutputStream();
    InputStream savedIn = System.in;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    System.setIn(new PipedInputStream(feed, 1 << 16));
    try {
      CommandLine cl = JbertCli.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("predict", "--model", model.toString()));

      feed.write("{\"id\": 1, \"text\": \"my card was stolen\"}\n".getBytes(StandardCharsets.UTF_8));
      feed.flush();
      // Generous: the first answer includes loading the model and ND4J.
      assertEquals(1, awaitLines(out, 1, 60_000), "first answer while the input is open; stderr: " + err);
      long start = System.nanoTime();
      feed.write("{\"id\": 2, \"text\": \"where is my refund\"}\n".getBytes(StandardCharsets.UTF_8));
      feed.flush();
      assertEquals(2, awaitLines(out, 2, 5_000), "second answer; stderr: " + err);
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(seconds < 5, "the second answer took " + seconds + " s");
      assertFalse(exit.isDone(), "still reading");

      feed.close();
      assertEquals(0, exit.get(30, TimeUnit.SECONDS), err.toString());
      List<String> lines = out.toString().lines().toList();
      assertEquals(1, JSON.readTree(lines.get(0)).get("id").asInt());
      assertEquals(2, JSON.readTree(lines.get(1)).get("id").asInt());
    } finally {
      System.setIn(savedIn);
    }
  }

  private static int awaitLines(StringWriter out, int wanted, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      long complete = out.toString().chars().filter(c -> c == '\n').count();
      if (complete >= wanted) {
        return (int) complete;
      }
      Thread.sleep(10);
    }
    return (int) out.toString().chars().filter(c -> c == '\n').count();
  }

  @Test
  void everyInputFieldIsEchoedAndEveryLineAnswered() throws Exception {
    String in = """
        {"id": "a-1", "channel": "chat", "text": "my card was stolen", "label": "gold label", "meta": {"n": 1}}

        {"id": "a-2", "txt": "typo in the field name"}
        not json
        {"id": "a-3", "text": "refund please", "text_pair": "a reply"}
        {"id": "a-4", "text": "where is my package"}
        """;
    CliRun run = CliRun.withStdin(in, "predict", "--model", model.toString(), "--on-error", "skip", "--top-k", "1");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(6, run.out().size(), "one output line per input line:\n" + String.join("\n", run.out()));

    JsonNode first = JSON.readTree(run.out().get(0));
    assertEquals(List.of("id", "channel", "text", "meta", "label", "score", "top_k"), fieldNames(first),
        "input fields first, in order; predict's own 'label' replaces the input's");
    assertEquals("a-1", first.get("id").asText());
    assertEquals(1, first.get("meta").get("n").asInt());
    assertTrue(Tickets.INTENTS.contains(first.get("label").asText()));
    assertEquals(1, first.get("top_k").size());

    assertEquals("", run.out().get(1), "a blank line is answered by an empty line");
    JsonNode typo = JSON.readTree(run.out().get(2));
    assertEquals("a-2", typo.get("id").asText(), "an error keeps the line's fields");
    assertEquals("stdin:3: no 'text' field (the message); it has id, txt", typo.get("error").asText());
    assertFalse(typo.has("label"));
    assertTrue(JSON.readTree(run.out().get(3)).get("error").asText().startsWith("stdin:4: not valid JSON"), run.out().get(3));
    assertTrue(JSON.readTree(run.out().get(4)).get("error").asText()
        .startsWith("stdin:5: this intent model was trained on single messages and takes no candidate reply"), run.out().get(4));
    assertEquals("a-4", JSON.readTree(run.out().get(5)).get("id").asText());
    assertTrue(JSON.readTree(run.out().get(5)).has("label"));
    assertTrue(run.err().contains("predict: 3 of 5 lines could not be answered"), run.err());
  }

  @Test
  void aBadLineStopsTheRunAfterAnsweringTheLinesBeforeIt() throws Exception {
    String in = "{\"text\": \"my card\"}\n{\"text\": \"refund\"}\n{\"text\": 7}\n{\"text\": \"late package\"}\n";
    CliRun run = CliRun.withStdin(in, "predict", "--model", model.toString());
    assertEquals(2, run.exitCode());
    assertEquals("jbert: stdin:3: 'text' must be a string, found number", run.err().strip());
    assertEquals(2, run.out().size(), "the two lines before it were answered");
  }

  @Test
  void csvInCsvOut() throws Exception {
    Path input = Files.writeString(tmp.resolve("tickets.csv"), """
        ticket,text,channel
        17,my card was stolen,chat
        18,"where is my package, it is late",mail
        """);
    Path output = tmp.resolve("answers.csv");
    CliRun run = CliRun.run("predict", "--model", model.toString(), "--input", input.toString(), "--output", output.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().isEmpty(), "answers go to the file");
    List<String> rows = Files.readAllLines(output);
    assertEquals("ticket,text,channel,label,score,top_k", rows.get(0));
    assertEquals(3, rows.size());
    assertTrue(rows.get(2).startsWith("18,\"where is my package, it is late\",mail,"), rows.get(2));
    assertTrue(rows.get(1).matches("17,my card was stolen,chat,(account|card|delivery|refund),[0-9.E-]+,\"\\[\\{\"\"label\"\".*"),
        rows.get(1));
    try (Stream<Path> files = Files.list(tmp)) {
      assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
    }

    // JSON Lines from a TSV file, and the same answers
    Path tsv = Files.writeString(tmp.resolve("tickets.tsv"), "ticket\ttext\n17\tmy card was stolen\n");
    Path jsonl = tmp.resolve("answers.jsonl");
    assertEquals(0, CliRun.run("predict", "--model", model.toString(), "--input", tsv.toString(), "--output", jsonl.toString())
        .exitCode());
    JsonNode answer = JSON.readTree(Files.readAllLines(jsonl).get(0));
    assertEquals("17", answer.get("ticket").asText());
    assertEquals(rows.get(1).split(",")[3], answer.get("label").asText());
  }

  @Test
  void aFailedRunLeavesNoOutputFile() throws Exception {
    Path input = Files.writeString(tmp.resolve("bad.jsonl"), "{\"text\": \"my card\"}\n{\"text\": \"\"}\n");
    Path output = tmp.resolve("never.jsonl");
    CliRun run = CliRun.run("predict", "--model", model.toString(), "--input", input.toString(), "--output", output.toString());
    assertEquals(2, run.exitCode());
    assertEquals("jbert: " + input + ":2: empty 'text'", run.err().strip());
    assertFalse(Files.exists(output));
    try (Stream<Path> files = Files.list(tmp)) {
      assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
    }
  }

  @Test
  void aLineThatIsNotUtf8IsOneBadLineWithItsNumber() throws Exception {
    byte[] latin1 = "{\"text\": \"my card\"}\r\n{\"text\": \"caf\u00e9\"}\n{\"text\": \"refund\"}\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    Path input = Files.write(tmp.resolve("latin1.jsonl"), latin1);
    CliRun run = CliRun.run("predict", "--model", model.toString(), "--input", input.toString(), "--on-error", "skip");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(3, run.out().size());
    assertEquals(input + ":2: not valid UTF-8", JSON.readTree(run.out().get(1)).get("error").asText());
    assertEquals("my card", JSON.readTree(run.out().get(0)).get("text").asText(), "CRLF line ends are read too");
    assertTrue(JSON.readTree(run.out().get(2)).has("label"));
  }

  @Test
  void aFileWhoseNameDoesNotTellItsFormatNeedsFormat() throws Exception {
    Path input = Files.writeString(tmp.resolve("messages.txt"), "{\"text\": \"my card\"}\n");
    CliRun run = CliRun.run("predict", "--model", model.toString(), "--input", input.toString());
    assertEquals(2, run.exitCode());
    assertEquals("jbert: " + input + ": cannot tell the format from the file name (.txt); name it .csv, .tsv or .jsonl, "
        + "or pass --format csv|tsv|jsonl", run.err().strip());
    CliRun told = CliRun.run("predict", "--model", model.toString(), "--input", input.toString(), "--format", "jsonl");
    assertEquals(0, told.exitCode(), told.err());
    assertEquals(1, told.out().size());

    Path data = Files.writeString(tmp.resolve("labelled.txt"), "text,label\nmy card,card\n");
    assertEquals(0, CliRun.run("eval", "--model", model.toString(), "--data", data.toString(), "--format", "csv").exitCode());
  }

  @Test
  void aHandOffLabelWithoutAThresholdIsRefused() throws Exception {
    CliRun run = CliRun.withStdin("{\"text\": \"my card\"}\n", "predict", "--model", model.toString(), "--handoff-label", "转人工");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().startsWith("jbert: --handoff-label 转人工 needs a threshold to hand off below: pass --threshold T"),
        run.err());
    assertTrue(run.out().isEmpty());
    Path data = Files.writeString(tmp.resolve("eval.csv"), "text,label\nmy card,card\n");
    assertEquals(2, CliRun.run("eval", "--model", model.toString(), "--data", data.toString(), "--handoff-label", "x").exitCode());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void textsGivenAsArgumentsAreAnsweredAsStdinLinesWouldBe() {
    CliRun fromStdin = CliRun.withStdin("{\"text\": \"my card\"}\n{\"text\": \"refund\"}\n", "predict", "--model",
        model.toString());
    CliRun fromArguments = CliRun.run("predict", "--model", model.toString(), "my card", "refund");
    assertEquals(0, fromArguments.exitCode(), fromArguments.err());
    assertEquals(fromStdin.out(), fromArguments.out());
    CliRun empty = CliRun.run("predict", "--model", model.toString(), "my card", "");
    assertEquals(2, empty.exitCode());
    assertEquals("jbert: argument:2: empty 'text'", empty.err().strip());
    CliRun both = CliRun.run("predict", "--model", model.toString(), "--input", tmp.resolve("train.csv").toString(), "refund");
    assertEquals(2, both.exitCode());
    assertTrue(both.err().contains("give the messages as arguments or as --input"), both.err());
  }
}
