package dev.jbert.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Under concurrent clients, with two replicas sharing the weights and a small token budget, every
 * answer equals the single sequential prediction of its message, and requests were really batched
 * together (some batch held several requests).
 */
class ConcurrencyTest {

  private static final List<String> MESSAGES = List.of("where is my card", "refund my order please",
      "card not arrived and i am waiting for weeks now", "i want my money back", "hello", "what is the status of my"
          + " refund, it has been ten days", "card", "my card was declined at the shop yesterday evening");

  @Test
  void answersUnderConcurrencyEqualSequentialPredictions() throws Exception {
    Map<String, Prediction> expected = new HashMap<>();
    try (FineTunedModel model = FineTunedModel.load(TinyModels.intent())) {
      Predictor predictor = Predictor.of(model).withTopK(2);
      for (String m : MESSAGES) {
        expected.put(m, predictor.classify(m)); // one message per forward pass: no padding
      }
    }
    List<Integer> batchRequests = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger batches = new AtomicInteger();
    BatchHook slow = (model, inputs) -> {
      batches.incrementAndGet();
      Thread.sleep(15); // lets requests pile up so that batches form
    };
    JbertServer server = TestServers.intent(o -> o.workers(2).maxBatchTokens(160).maxBatchRequests(8), slow);
    try {
      Http http = new Http(server.url());
      ExecutorService clients = Executors.newFixedThreadPool(12);
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < 12; c++) {
        int client = c;
        done.add(clients.submit(() -> {
          for (int i = 0; i < 8; i++) {
            int n = 1 + (client + i) % 3;
            List<String> texts = new ArrayList<>();
            for (int k = 0; k < n; k++) {
              texts.add(MESSAGES.get((client * 5 + i * 3 + k) % MESSAGES.size()));
            }
            check(http, texts, expected);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      clients.shutdown();
      String metrics = http.get("/metrics").body();
      double requests = value(metrics, "jbert_batch_requests_sum{model=\"intent\"}");
      double count = value(metrics, "jbert_batch_requests_count{model=\"intent\"}");
      assertEquals(96, requests, 0, "every request went through a batch once");
      assertTrue(count < requests, "some batches held several requests: " + count + " batches for " + requests);
      assertEquals(count, batches.get(), 0);
    } finally {
      server.shutdown();
    }
  }

  private static void check(Http http, List<String> texts, Map<String, Prediction> expected) {
    StringBuilder body = new StringBuilder("{\"top_k\": 2, \"texts\": [");
    for (int i = 0; i < texts.size(); i++) {
      body.append(i > 0 ? ", " : "").append('"').append(texts.get(i)).append('"');
    }
    Http.Response r = http.post("/v1/classify", body.append("]}").toString());
    assertEquals(200, r.status(), r.body());
    JsonNode results = r.json().get("results");
    assertEquals(texts.size(), results.size());
    for (int i = 0; i < texts.size(); i++) {
      Prediction p = expected.get(texts.get(i));
      JsonNode got = results.get(i);
      assertEquals(p.label(), got.get("label").asText(), texts.get(i));
      assertEquals(p.score(), got.get("score").asDouble(), 1e-5, texts.get(i));
      assertEquals(p.topK().get(1).score(), got.get("top_k").get(1).get("score").asDouble(), 1e-5, texts.get(i));
    }
  }

  static double value(String metrics, String series) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }
}
