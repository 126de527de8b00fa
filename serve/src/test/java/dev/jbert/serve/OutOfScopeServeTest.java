package dev.jbert.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.ood.ConfidenceConfig;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuning;
import dev.jbert.finetune.train.TrainingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model saved with a calibration temperature and a kNN hand-off: {@code /v1/classify} and
 * {@code /predict} answer exactly as the in-process Predictor does.
 */
class OutOfScopeServeTest {

  @TempDir static Path tmp;
  private static Path dir;
  private static JbertServer server;
  private static Http http;

  private static final List<String> TEXTS = List.of("where is my card", "refund my order please", "card not arrived",
      "i want my money back", "hello there", "my order", "is it raining today", "card");

  @BeforeAll
  static void start() throws Exception {
    List<Example> data = new ArrayList<>();
    for (int i = 0; i < TinyModels.INTENTS.length; i++) {
      data.add(Example.labelled(TinyModels.INTENTS[i][0], TinyModels.INTENTS[i][1], Path.of("train.jsonl"), i + 1));
    }
    dir = tmp.resolve("knn");
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).maxSteps(2).batchSize(4).handOffLabel("转人工")
        .confidence(ConfidenceConfig.DEFAULT.withDetector("knn").withKnnK(1)).build();
    FineTuning.run(SharedModels.tinyBert(), data, data, dir, config, TrainingListener.NONE);
    server = JbertServer.start(ServeOptions.builder().model("knn", dir).port(0).build());
    server.awaitReady(Duration.ofMinutes(1));
    http = new Http(server.url());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void classifyHandsOffByTheSavedDetectorAsPredictorDoes() throws Exception {
    StringBuilder texts = new StringBuilder();
    for (String t : TEXTS) {
      texts.append(texts.length() == 0 ? "" : ", ").append('"').append(t).append('"');
    }
    JsonNode results = http.post("/v1/classify", "{\"texts\": [" + texts + "]}").json().get("results");
    try (FineTunedModel model = FineTunedModel.load(dir)) {
      assertTrue(model.settings().temperature() != 1.0, "a temperature was fitted: " + model.settings().temperature());
      List<Prediction> expected = Predictor.of(model).classifyAll(TEXTS);
      assertTrue(expected.stream().anyMatch(Prediction::handedOff), "some messages are far from the training ones");
      for (int i = 0; i < TEXTS.size(); i++) {
        JsonNode r = results.get(i);
        assertEquals(expected.get(i).handedOff(), r.get("handed_off").asBoolean(), TEXTS.get(i));
        assertEquals(expected.get(i).label(), r.get("label").asText(), TEXTS.get(i));
        assertEquals((float) expected.get(i).score(), r.get("score").floatValue(), 0, TEXTS.get(i));
      }
      // TEI's /predict: calibrated probabilities too
      JsonNode tei = http.post("/predict", "{\"inputs\": \"" + TEXTS.get(0) + "\"}").json();
      assertEquals((float) expected.get(0).score(), tei.get(0).get("score").floatValue(), 0);
    }
    // a request's threshold is a top probability: 0 never hands off
    JsonNode zero = http.post("/v1/classify", "{\"text\": \"is it raining today\", \"threshold\": 0}").json();
    assertEquals(false, zero.get("handed_off").asBoolean());
    JsonNode info = http.get("/v1/models/knn/info").json();
    assertEquals("knn", info.at("/jbert/handoff/detector").asText());
  }
}
