package dev.jbert.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One tokenizer shared by several threads gives each the same encodings as a single thread. */
class ConcurrencyTest {

  @Test
  void sharedTokenizerIsThreadSafe() throws Exception {
    BertTokenizer tokenizer = Shared.tokenizer(Shared.MINILM);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      texts.add("Order #" + i + " arrived broken, Café naïve [MASK] refund 我的 👍 " + "x".repeat(i % 120));
    }
    List<int[]> expected = texts.stream().map(t -> tokenizer.encode(t, "pair " + t.length()).inputIds()).toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<int[]>>> results = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        results.add(pool.submit(() -> texts.stream().map(t -> tokenizer.encode(t, "pair " + t.length()).inputIds()).toList()));
      }
      for (Future<List<int[]>> result : results) {
        List<int[]> actual = result.get();
        for (int i = 0; i < texts.size(); i++) {
          assertArrayEquals(expected.get(i), actual.get(i), texts.get(i));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
