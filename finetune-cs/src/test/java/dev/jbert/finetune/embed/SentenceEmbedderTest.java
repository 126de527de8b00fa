package dev.jbert.finetune.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.io.CheckpointException;
import dev.jbert.finetune.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pooling math, the sentence-transformers folder settings, and embeddings against the hidden states. */
class SentenceEmbedderTest {

  @TempDir Path tmp;

  @Test
  void poolingByHand() {
    float[][] tokens = {{1, -2, 3}, {3, 4, -5}};
    assertArrayEquals(new float[] {1, -2, 3}, Pooling.CLS.pool(tokens));
    assertArrayEquals(new float[] {2, 1, -1}, Pooling.MEAN.pool(tokens));
    assertArrayEquals(new float[] {3, 4, 3}, Pooling.MAX.pool(tokens));
    assertArrayEquals(new float[] {0.6f, 0.8f}, Pooling.normalize(new float[] {3, 4}), 1e-7f);
    assertArrayEquals(new float[] {0, 0}, Pooling.normalize(new float[] {0, 0}), "zero stays zero (eps 1e-12)");
    assertEquals(Pooling.MAX, Pooling.of(" Max "));
    assertThrows(IllegalArgumentException.class, () -> Pooling.of("sum"));
  }

  @Test
  void folderSettingsAsSentenceTransformersWritesThem() throws IOException {
    assertEquals(Pooling.MEAN, SentenceEmbedder.folderPooling(tmp), "no 1_Pooling: mean");
    assertFalse(SentenceEmbedder.folderNormalizes(tmp));
    Files.createDirectories(tmp.resolve("1_Pooling"));
    Files.writeString(tmp.resolve("1_Pooling/config.json"), "{\"word_embedding_dimension\": 384,"
        + " \"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": false, \"pooling_mode_max_tokens\": false}");
    assertEquals(Pooling.CLS, SentenceEmbedder.folderPooling(tmp));
    Files.writeString(tmp.resolve("modules.json"), "[{\"idx\": 0, \"name\": \"0\", \"path\": \"\", \"type\":"
        + " \"sentence_transformers.models.Transformer\"}, {\"idx\": 1, \"name\": \"1\", \"path\": \"1_Pooling\", \"type\":"
        + " \"sentence_transformers.models.Pooling\"}, {\"idx\": 2, \"name\": \"2\", \"path\": \"2_Normalize\", \"type\":"
        + " \"sentence_transformers.models.Normalize\"}]");
    assertTrue(SentenceEmbedder.folderNormalizes(tmp));

    Files.writeString(tmp.resolve("1_Pooling/config.json"), "{\"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": true}");
    CheckpointException two = assertThrows(CheckpointException.class, () -> SentenceEmbedder.folderPooling(tmp));
    assertTrue(two.getMessage().contains("1_Pooling") && two.getMessage().contains("2 pooling modes"), two.getMessage());
    Files.writeString(tmp.resolve("modules.json"), "{not json");
    CheckpointException bad = assertThrows(CheckpointException.class, () -> SentenceEmbedder.folderNormalizes(tmp));
    assertTrue(bad.getMessage().contains("modules.json"), bad.getMessage());
  }

  @Test
  void embeddingsPoolTheHiddenStatesInInputOrder() throws IOException {
    List<String> texts = List.of("where is my card?", "hi", "I was charged twice for the same coffee this morning and the shop says it is the bank, so please refund one of them");
    try (SentenceEmbedder mean = SentenceEmbedder.load(SharedModels.model("all-MiniLM-L6-v2"));
        SentenceEmbedder unit = SentenceEmbedder.load(SharedModels.model("all-MiniLM-L6-v2"), Pooling.MAX, true, 16, 2)) {
      assertEquals(384, mean.dimension());
      assertEquals(Pooling.MEAN, mean.pooling());
      float[][] all = mean.embedAll(texts);
      for (int i = 0; i < texts.size(); i++) {
        float[][] hidden = mean.hiddenStates(List.of(mean.encode(texts.get(i))))[0];
        assertArrayEquals(Pooling.MEAN.pool(hidden), all[i], 1e-5f, "text " + i);
        assertArrayEquals(all[i], mean.embed(texts.get(i)), 1e-5f, "batch of one, text " + i);
      }
      float[][] normalized = unit.embedAll(texts);
      assertEquals(16, unit.encode(texts.get(2)).length(), "truncated to max length");
      for (float[] v : normalized) {
        double squares = 0;
        for (float x : v) {
          squares += x * x;
        }
        assertEquals(1.0, squares, 1e-5);
      }
    }
  }

  @Test
  void aFolderWhoseTokenizerBelongsToAnotherModelIsRefusedByName() throws IOException {
    Path tiny = SharedModels.tinyBert();
    for (String name : List.of("config.json", "model.safetensors", "tokenizer_config.json")) {
      Files.copy(tiny.resolve(name), tmp.resolve(name));
    }
    Files.copy(SharedModels.model("all-MiniLM-L6-v2").resolve("vocab.txt"), tmp.resolve("vocab.txt"));
    CheckpointException e = assertThrows(CheckpointException.class, () -> SentenceEmbedder.load(tmp));
    assertTrue(e.getMessage().contains("vocab.txt has 30522 tokens") && e.getMessage().contains("vocab_size 99"), e.getMessage());
  }
}
