package dev.jbert.finetune.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbert.finetune.SharedModels;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A replica embeds as the original, with the same settings, also while the original runs on another thread. */
class SentenceEmbedderReplicaTest {

  @Test
  void aReplicaEmbedsAsTheOriginalAtTheSameTime() throws Exception {
    List<String> texts = List.of("where is my card?", "hi", "I was charged twice for the same coffee");
    try (SentenceEmbedder original = SentenceEmbedder.load(SharedModels.model("all-MiniLM-L6-v2"))) {
      float[][] expected = original.embedAll(texts);
      // a batch of one pads differently, so it is compared with itself (last digits may differ from the batch's)
      float[] single = original.embed(texts.get(0));
      try (SentenceEmbedder replica = original.replica()) {
        assertEquals(original.pooling(), replica.pooling());
        assertEquals(original.maxLength(), replica.maxLength());
        assertEquals(original.normalizes(), replica.normalizes());
        CompletableFuture<float[][]> a = CompletableFuture.supplyAsync(() -> repeat(original, texts));
        CompletableFuture<float[][]> b = CompletableFuture.supplyAsync(() -> repeat(replica, texts));
        for (CompletableFuture<float[][]> f : List.of(a, b)) {
          float[][] got = f.get();
          for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(expected[i], got[i]);
          }
        }
      }
      assertArrayEquals(single, original.embed(texts.get(0)), "closing the replica leaves the original working");
    }
  }

  private static float[][] repeat(SentenceEmbedder embedder, List<String> texts) {
    float[][] last = null;
    for (int i = 0; i < 10; i++) {
      last = embedder.embedAll(texts);
    }
    return last;
  }
}
