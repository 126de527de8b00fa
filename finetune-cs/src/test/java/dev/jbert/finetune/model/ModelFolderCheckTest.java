package dev.jbert.finetune.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.finetune.SharedModels;
import dev.jbert.tokenizer.BertTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model folder whose tokenizer files and config come from different models is refused on loading, naming files and numbers. */
class ModelFolderCheckTest {

  @TempDir Path tmp;

  private static void check(Path dir) throws Exception {
    ModelFolderCheck.check(dir, BertConfig.load(dir.resolve("config.json")), BertTokenizer.fromPretrained(dir));
  }

  /** tiny-random-bert (99 tokens) with the files named, copied from all-MiniLM-L6-v2 (30,522 tokens). */
  private Path mixed(String... fromMiniLm) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mixed"));
    Path tiny = SharedModels.tinyBert();
    for (String name : List.of("config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json")) {
      Files.copy(tiny.resolve(name), dir.resolve(name));
    }
    for (String name : fromMiniLm) {
      Files.copy(SharedModels.model("all-MiniLM-L6-v2").resolve(name), dir.resolve(name),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return dir;
  }

  @Test
  void theSharedModelsAreConsistent() throws Exception {
    for (String name : List.of("all-MiniLM-L6-v2", "bge-small-zh-v1.5", "tiny-random-bert", "tiny-random-bert-regression")) {
      check(SharedModels.model(name));
    }
  }

  @Test
  void anOldTokenizerJsonBesideANewVocabTxt() throws Exception {
    Path dir = mixed("tokenizer.json");
    CheckpointException e = assertThrows(CheckpointException.class, () -> FineTunedModel.load(dir));
    assertEquals(dir + ": vocab.txt and tokenizer.json disagree: vocab.txt line 2 gives '[UNK]' id 1, tokenizer.json gives it"
        + " id 100 (vocab.txt has 99 lines, tokenizer.json 30522 tokens); the two files belong to different models", e.getMessage());
  }

  @Test
  void aTokenizerThatDoesNotFitIsReportedBeforeUnreadableWeights() throws Exception {
    Path dir = mixed("tokenizer.json");
    Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});     // the weights fail too, on another thread
    CheckpointException e = assertThrows(CheckpointException.class, () -> FineTunedModel.load(dir));
    assertTrue(e.getMessage().startsWith(dir + ": vocab.txt and tokenizer.json disagree"), e.getMessage());
  }

  @Test
  void aTokenizerLargerThanTheModelsEmbeddings() throws Exception {
    Path dir = mixed("tokenizer.json", "vocab.txt");
    CheckpointException e = assertThrows(CheckpointException.class, () -> FineTunedModel.load(dir));
    assertEquals(dir + ": tokenizer.json has 30522 tokens (ids 0..30521) but config.json has vocab_size 99: ids from 99 up"
        + " ([CLS] = 101, [SEP] = 102, [UNK] = 100, [MASK] = 103) are outside the model's embeddings; the tokenizer files"
        + " belong to another model", e.getMessage());

    Files.delete(dir.resolve("tokenizer.json"));
    CheckpointException fromVocab = assertThrows(CheckpointException.class, () -> check(dir));
    assertEquals(dir + ": vocab.txt has 30522 tokens (ids 0..30521) but config.json has vocab_size 99: ids from 99 up"
        + " ([CLS] = 101, [SEP] = 102, [UNK] = 100, [MASK] = 103) are outside the model's embeddings; the tokenizer files"
        + " belong to another model", fromVocab.getMessage());
  }
}
