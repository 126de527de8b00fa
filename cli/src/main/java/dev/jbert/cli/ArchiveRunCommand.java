package dev.jbert.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.backend.Backend;
import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code jbert archive-run} (hidden): the run {@code bin/jbert} makes its class-data-sharing archive
 * from, once per build of the jar. It writes a tiny random classifier (config, weights, a WordPiece
 * {@code tokenizer.json} and {@code vocab.txt}) to a temporary folder and answers one message with
 * {@code predict}, so that the archive holds the classes and lambda forms that a model command's
 * start loads (the tokenizer's and model's loaders, the kernels, the Vector API), not only those of
 * {@code version}: with an archive made this way {@code jbert predict}'s first answer on MiniLM came
 * 0.18 s sooner (docs/performance.md, "Start-up").
 */
@Command(name = "archive-run", hidden = true,
    description = "Answer one message with a tiny random classifier (bin/jbert's class-data-sharing archive run).")
final class ArchiveRunCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Words of the tiny vocabulary after the special tokens (the message uses some, and a piece). */
  private static final List<String> WORDS = List.of("where", "is", "my", "card", "refund", "##s", "?");

  @Override
  public Integer call() throws IOException {
    Path dir = Files.createTempDirectory("jbert-archive-run");
    try {
      Path model = dir.resolve("model");
      writeTinyClassifier(model);
      Path in = dir.resolve("in.jsonl");
      Files.writeString(in, "{\"text\":\"Where is my card? refunds\"}\n", StandardCharsets.UTF_8);
      CommandLine predict = JbertCli.commandLine(new String[] {"predict"});
      StringWriter err = new StringWriter();
      predict.setErr(new PrintWriter(err));
      int exit = predict.execute("predict", "--model", model.toString(), "--input", in.toString(), "--output",
          dir.resolve("out.jsonl").toString());
      if (exit != 0) {
        spec.commandLine().getErr().print(err);
        spec.commandLine().getErr().flush();
      }
      return exit;
    } finally {
      AtomicFiles.deleteTree(dir);
    }
  }

  /**
   * A classifier folder as fine-tuning writes one, at toy sizes: two layers of two 32-wide heads (the
   * fused attention's width), random weights.
   */
  static void writeTinyClassifier(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> specials = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    List<String> vocab = Stream.concat(specials.stream(), WORDS.stream()).toList();
    BertConfig config = BertConfig.builder().vocabSize(vocab.size()).hiddenSize(64).numHiddenLayers(2)
        .numAttentionHeads(2).intermediateSize(128).maxPositionEmbeddings(32)
        .labels(List.of("card_arrival", "refund")).architectures(List.of("BertForSequenceClassification")).build();
    Backend.init();
    try (BertForSequenceClassification model = new BertForSequenceClassification(config, DataType.FLOAT)) {
      model.savePretrained(dir);
    }
    Files.write(dir.resolve("vocab.txt"), vocab, StandardCharsets.UTF_8);
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer.json").toFile(),
        tokenizerJson(vocab, specials));
  }

  /** A Hugging Face {@code tokenizer.json} of a lower-casing BERT WordPiece tokenizer over {@code vocab}. */
  private static ObjectNode tokenizerJson(List<String> vocab, List<String> specials) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String s : specials) {
      added.addObject().put("id", vocab.indexOf(s)).put("content", s).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putObject("normalizer").put("type", "BertNormalizer").put("clean_text", true)
        .put("handle_chinese_chars", true).putNull("strip_accents").put("lowercase", true);
    root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
    ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    special(single, "[CLS]", 0);
    sequence(single, "A", 0);
    special(single, "[SEP]", 0);
    ArrayNode pair = post.putArray("pair");
    special(pair, "[CLS]", 0);
    sequence(pair, "A", 0);
    special(pair, "[SEP]", 0);
    sequence(pair, "B", 1);
    special(pair, "[SEP]", 1);
    ObjectNode specialTokens = post.putObject("special_tokens");
    for (String s : List.of("[CLS]", "[SEP]")) {
      ObjectNode t = specialTokens.putObject(s).put("id", s);
      t.putArray("ids").add(vocab.indexOf(s));
      t.putArray("tokens").add(s);
    }
    root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
    ObjectNode model = root.putObject("model").put("type", "WordPiece").put("unk_token", "[UNK]")
        .put("continuing_subword_prefix", "##").put("max_input_chars_per_word", 100);
    ObjectNode ids = model.putObject("vocab");
    for (int i = 0; i < vocab.size(); i++) {
      ids.put(vocab.get(i), i);
    }
    return root;
  }

  private static void special(ArrayNode template, String token, int typeId) {
    template.addObject().putObject("SpecialToken").put("id", token).put("type_id", typeId);
  }

  private static void sequence(ArrayNode template, String id, int typeId) {
    template.addObject().putObject("Sequence").put("id", id).put("type_id", typeId);
  }
}
