package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.config.BertConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model folder that cannot be used is bad input: exit code 2 and a message that says what is wrong and what is read. */
class ModelFolderErrorsTest {

  @TempDir Path tmp;

  @Test
  void noCommandPrintsTheUsageOnStderrAndExits2() {
    CliRun run = CliRun.run();
    assertEquals(2, run.exitCode());
    assertTrue(run.out().isEmpty(), String.join("\n", run.out()));
    assertTrue(run.err().startsWith("Usage: jbert"), run.err());
  }

  @Test
  void aFolderWithoutConfig() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    CliRun run = CliRun.withStdin("{\"text\": \"hi\"}\n", "predict", "--model", empty.toString());
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("is not a Hugging Face model folder (it needs config.json, the weights and the tokenizer files)"),
        run.err());
    assertEquals(2, CliRun.run("eval", "--model", tmp.resolve("missing").toString(), "--data", "x.csv").exitCode());
  }

  @Test
  void anOnnxExportIsToldItIsNotRead() throws Exception {
    Path onnx = Files.createDirectories(tmp.resolve("onnx-export"));
    Path model = CliRun.model("tiny-random-bert");
    for (String file : new String[] {"config.json", "vocab.txt"}) {
      Files.copy(model.resolve(file), onnx.resolve(file));
    }
    Files.write(onnx.resolve("model.onnx"), new byte[] {8, 7});
    CliRun run = CliRun.withStdin("{\"text\": \"hi\"}\n", "predict", "--model", onnx.toString());
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("holds an ONNX export (model.onnx), which jbert does not read: it reads the PyTorch weights"
        + " that save_pretrained writes, one of model.safetensors, "), run.err());
  }

  /** The base model's real error comes alone, without Hugging Face's "You should probably TRAIN this model" warning first. */
  @Test
  void anUntrainedBaseModelIsRefusedWithoutTheTrainWarning() throws Exception {
    Path base = CliRun.model("all-MiniLM-L6-v2");
    Captured run = captureStderr(() -> CliRun.withStdin("{\"text\": \"hi\"}\n", "predict", "--model", base.toString()));
    assertEquals(2, run.cli().exitCode(), run.cli().err());
    assertTrue(run.cli().err().startsWith("jbert: " + base + ": has no trained classification head: its config.json names "
        + "[BertModel], not BertForSequenceClassification; fine-tune it first"), run.cli().err());
    assertFalse(run.stderr().contains("TRAIN"), run.stderr());
  }

  /** A multi-label classifier (one sigmoid per label) is refused before its weights load: softmax scores would be wrong. */
  @Test
  void aMultiLabelClassifierIsRefused() throws Exception {
    Path model = CliRun.model("tiny-random-bert");
    Path multiLabel = Files.createDirectories(tmp.resolve("multi-label"));
    try (var files = Files.list(model)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, multiLabel.resolve(f.getFileName()));
        }
      }
    }
    BertConfig.load(model.resolve("config.json")).withArchitectures(List.of("BertForSequenceClassification"))
        .withLabels(List.of("billing", "refund", "delivery")).withProblemType("multi_label_classification")
        .save(multiLabel.resolve("config.json"));
    CliRun run = CliRun.withStdin("{\"text\": \"hi\"}\n", "predict", "--model", multiLabel.toString());
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("jbert: " + multiLabel + ": config.json's problem_type is multi_label_classification"),
        run.err());
  }

  private record Captured(CliRun cli, String stderr) {}

  /** Runs {@code body} with {@code System.err} (where library logging goes) captured. */
  private static Captured captureStderr(Supplier<CliRun> body) {
    PrintStream saved = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      CliRun run = body.get();
      return new Captured(run, bytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }
}
