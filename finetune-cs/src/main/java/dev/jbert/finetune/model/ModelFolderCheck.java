package dev.jbert.finetune.model;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Checks that the files of a model folder belong together: {@code tokenizer.json} and {@code
 * vocab.txt} give every token the same id, and every id the tokenizer can produce is inside the
 * model's embeddings ({@code vocab_size} of {@code config.json}, whose shape the weight loader
 * checks against {@code model.safetensors}).
 *
 * <p>A folder that mixes two models (e.g. an old {@code tokenizer.json} left beside a new model
 * with a smaller vocabulary) otherwise loads and fails on the first input with an id out of range,
 * or silently encodes with the wrong vocabulary. The errors name the files and the numbers.
 */
public final class ModelFolderCheck {

  private static final String TOKENIZER_JSON = "tokenizer.json";
  private static final String VOCAB_TXT = "vocab.txt";

  private ModelFolderCheck() {}

  /**
   * Checks the folder's tokenizer files against each other and against the model configuration.
   *
   * @param tokenizer the tokenizer loaded from {@code dir} (from {@code tokenizer.json} when present)
   * @throws CheckpointException naming the files that disagree and how
   */
  public static void check(Path dir, BertConfig config, BertTokenizer tokenizer) throws IOException {
    boolean hasJson = Files.isRegularFile(dir.resolve(TOKENIZER_JSON));
    String tokenizerFile = hasJson ? TOKENIZER_JSON : VOCAB_TXT;
    if (hasJson && Files.isRegularFile(dir.resolve(VOCAB_TXT))) {
      checkVocabTxt(dir, tokenizer);
    }
    int modelVocab = config.vocabSize();
    if (tokenizer.vocabSize() > modelVocab) {
      List<String> outside = new ArrayList<>();
      for (Map.Entry<String, Integer> special : specialIds(tokenizer).entrySet()) {
        if (special.getValue() >= modelVocab) {
          outside.add(special.getKey() + " = " + special.getValue());
        }
      }
      throw new CheckpointException(dir, tokenizerFile + " has " + tokenizer.vocabSize() + " tokens (ids 0.."
          + (tokenizer.vocabSize() - 1) + ") but config.json has vocab_size " + modelVocab + ": ids from " + modelVocab
          + " up" + (outside.isEmpty() ? "" : " (" + String.join(", ", outside) + ")")
          + " are outside the model's embeddings; the tokenizer files belong to another model");
    }
  }

  /** vocab.txt line i (1-based) holds the token of id i − 1, as Hugging Face reads it; tokenizer.json must agree. */
  private static void checkVocabTxt(Path dir, BertTokenizer fromJson) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve(VOCAB_TXT), StandardCharsets.UTF_8);
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines = lines.subList(0, lines.size() - 1);
    }
    Map<String, Integer> vocab = new LinkedHashMap<>(); // a repeated token keeps its last id, as transformers' load_vocab
    for (int i = 0; i < lines.size(); i++) {
      vocab.put(lines.get(i), i);
    }
    String sizes = " (vocab.txt has " + lines.size() + " lines, tokenizer.json " + fromJson.vocabSize() + " tokens)";
    for (Map.Entry<String, Integer> entry : vocab.entrySet()) {
      OptionalInt id = fromJson.tokenToId(entry.getKey());
      if (id.isEmpty() || id.getAsInt() != entry.getValue()) {
        throw new CheckpointException(dir, "vocab.txt and tokenizer.json disagree: vocab.txt line " + (entry.getValue() + 1)
            + " gives '" + entry.getKey() + "' id " + entry.getValue() + ", tokenizer.json "
            + (id.isEmpty() ? "does not have it" : "gives it id " + id.getAsInt()) + sizes
            + "; the two files belong to different models");
      }
    }
  }

  private static Map<String, Integer> specialIds(BertTokenizer tokenizer) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (String token : List.of("[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]")) {
      tokenizer.tokenToId(token).ifPresent(id -> ids.put(token, id));
    }
    return ids;
  }
}
