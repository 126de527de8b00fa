package dev.jbert.cli;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.OnnxFile;
import dev.jbert.core.onnx.OnnxBertImport.Imported;
import dev.jbert.core.onnx.OnnxBertImport;
import dev.jbert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code jbert convert}: a BERT encoder's ONNX export (e.g. the ones langchain4j ships in its Maven
 * artifacts) to a Hugging Face model folder that every other command, and {@code transformers},
 * loads: {@code config.json} read from the graph, {@code model.safetensors}, and the export's
 * {@code tokenizer.json}. See {@link OnnxBertImport} for how weights are named.
 */
@Command(
    name = "convert",
    description = "Convert a BERT encoder's ONNX export (with its tokenizer.json) to a Hugging Face model folder.")
final class ConvertCommand implements Callable<Integer> {

  @CommandLine.Mixin JbertCli.Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "The ONNX file (weights inside it, float).")
  Path onnx;

  @Option(names = "--tokenizer", paramLabel = "FILE",
      description = "The export's tokenizer.json (any file name), copied into the folder as tokenizer.json.")
  Path tokenizer;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "The model folder to write; must not exist yet.")
  Path output;

  @Option(names = "--num-attention-heads", paramLabel = "N",
      description = "Heads, for graphs whose attention scale does not tell them (checked against it where it does).")
  Integer heads;

  @Override
  public Integer call() throws IOException {
    if (heads != null && heads < 1) {
      throw new IllegalArgumentException("--num-attention-heads must be positive, got " + heads);
    }
    if (tokenizer != null && !Files.isRegularFile(tokenizer)) {
      throw new IOException(tokenizer + ": tokenizer file not found");
    }
    // loaded as the written folder will hold it (tokenizer.json alone), so that a file it cannot use stops here
    BertTokenizer words = tokenizer == null ? null : BertTokenizer.fromTokenizerJson(tokenizer);
    Imported imported = OnnxBertImport.convert(OnnxFile.read(onnx), heads == null ? OptionalInt.empty() : OptionalInt.of(heads));
    BertConfig config = imported.config();
    if (words != null) {
      if (words.vocabSize() > config.vocabSize()) {
        throw new IllegalArgumentException(tokenizer + " has " + words.vocabSize() + " tokens, but the model's word "
            + "embeddings have " + config.vocabSize() + " rows: not this model's tokenizer");
      }
      imported = imported.withConfig(config.toBuilder().padTokenId(words.padId()).build());
      config = imported.config();
    }
    imported.write(output, tokenizer);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s: %s, %d layers, hidden %d, %d heads, intermediate %d, vocabulary %d, %d positions, %s, "
            + "layer_norm_eps %s%n", onnx, config.architectures().get(0), config.numHiddenLayers(), config.hiddenSize(),
        config.numAttentionHeads(), config.intermediateSize(), config.vocabSize(), config.maxPositionEmbeddings(),
        config.hiddenAct(), config.layerNormEps());
    out.printf("%d tensors, %d of them Linear weights named after their biases and transposed to [out, in]%n",
        imported.tensors().size(), imported.renamed());
    imported.skipped().forEach(s -> out.println("left out " + s));
    out.printf("wrote %s (config.json, model.safetensors%s)%n", output, tokenizer == null ? "" : ", tokenizer.json");
    out.flush();
    return 0;
  }
}
