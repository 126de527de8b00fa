package dev.jbert.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.embed.Pooling;
import dev.jbert.finetune.embed.SentenceEmbedder;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.predict.Input;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.predict.RankedReply;
import dev.jbert.finetune.predict.Softmax;
import dev.jbert.tokenizer.Encoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route of the service answers what the in-process API answers for the same input: TEI's
 * {@code /predict}, {@code /embed}, {@code /tokenize}, {@code /info}, {@code /health}, {@code /metrics};
 * {@code /rerank} with a pair model; OpenAI's {@code /v1/embeddings}; jbert's {@code /v1/classify} with pairs,
 * context, top-k and hand-off;
 * the per-model routes and the {@code model} field.
 */
class RoutesTest {

  private static Http http;
  private static FineTunedModel intent;
  private static FineTunedModel pair;
  private static FineTunedModel context;
  private static FineTunedModel score;
  private static SentenceEmbedder miniLm;

  @BeforeAll
  static void start() throws Exception {
    http = SharedServer.http();
    intent = FineTunedModel.load(TinyModels.intent());
    pair = FineTunedModel.load(TinyModels.pair());
    context = FineTunedModel.load(TinyModels.context());
    score = FineTunedModel.load(TinyModels.regression());
    miniLm = SentenceEmbedder.load(SharedModels.miniLm());
  }

  @AfterAll
  static void close() {
    for (AutoCloseable c : new AutoCloseable[] {intent, pair, context, score, miniLm}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void healthAndTimingHeaders() {
    Http.Response r = http.get("/health");
    assertEquals(200, r.status());
    assertEquals("ready", r.json().get("status").asText());
    for (String h : List.of("x-total-time", "x-tokenization-time", "x-queue-time", "x-inference-time")) {
      assertNotNull(r.header(h), h);
    }
  }

  @Test
  void infoDescribesTheFirstModelAndEachNamedOne() throws Exception {
    JsonNode info = http.get("/info").json();
    assertEquals("intent", info.get("model_id").asText());
    assertEquals("card", info.at("/model_type/classifier/id2label/0").asText());
    assertEquals(1, info.at("/model_type/classifier/label2id/refund").asInt());
    assertEquals(intent.encoder().maxLength(), info.get("max_input_length").asInt());
    assertEquals(8, info.get("max_client_batch_size").asInt());
    assertEquals("intent", info.at("/jbert/task").asText());
    assertFalse(info.get("version").asText().isBlank());

    JsonNode embed = http.get("/v1/models/minilm/info").json();
    assertEquals("mean", embed.at("/model_type/embedding/pooling").asText());
    assertEquals(384, embed.at("/jbert/dimension").asInt());
    JsonNode saved = http.get("/v1/models/handoff/info").json();
    assertEquals("转人工", saved.at("/jbert/handoff/label").asText());
    assertEquals(0.99, saved.at("/jbert/handoff/threshold").asDouble(), 0);
  }

  @Test
  void modelsAreListedWithTheirKinds() {
    JsonNode list = http.get("/v1/models").json();
    assertEquals("list", list.get("object").asText());
    StringBuilder kinds = new StringBuilder();
    for (JsonNode m : list.get("data")) {
      kinds.append(m.get("id").asText()).append('=').append(m.get("kind").asText()).append(' ');
    }
    assertEquals("intent=classifier pair=classifier context=classifier score=regression handoff=classifier"
        + " minilm=embedding ", kinds.toString());
    assertEquals("pair", http.get("/v1/models/pair").json().get("task").asText());
  }

  @Test
  void predictGivesEveryLabelByProbabilityAsThePredictor() {
    Predictor predictor = Predictor.of(intent).withTopK(2);
    JsonNode one = http.post("/predict", "{\"inputs\": \"where is my card\"}").json();
    assertEquals(2, one.size());
    Prediction expected = predictor.classify("where is my card");
    assertEquals(expected.topK().get(0).label(), one.get(0).get("label").asText());
    assertEquals(expected.topK().get(0).score(), one.get(0).get("score").asDouble(), 1e-5);
    assertEquals(expected.topK().get(1).score(), one.get(1).get("score").asDouble(), 1e-5);

    JsonNode batch = http.post("/predict", "{\"inputs\": [[\"where is my card\"], [\"refund please\"]]}").json();
    assertEquals(2, batch.size());
    assertEquals(one, batch.get(0));
    assertEquals(predictor.classify("refund please").label(), batch.get(1).get(0).get("label").asText());

    JsonNode raw = http.post("/predict", "{\"inputs\": \"where is my card\", \"raw_scores\": true}").json();
    float[] logits = predictor.rawScores(List.of(Input.of("where is my card")))[0];
    double best = Math.max(logits[0], logits[1]);
    assertEquals(best, raw.get(0).get("score").asDouble(), 1e-5);
  }

  @Test
  void pairsGoThroughPredictAndClassify() {
    Prediction expected = Predictor.of(pair).withTopK(2).classifyPair("where is my card", "it ships tomorrow");
    JsonNode tei = http.post("/v1/models/pair/predict", "{\"inputs\": [\"where is my card\", \"it ships tomorrow\"]}")
        .json();
    assertEquals(expected.label(), tei.get(0).get("label").asText());
    assertEquals(expected.score(), tei.get(0).get("score").asDouble(), 1e-5);

    JsonNode jbert = http.post("/v1/classify", "{\"model\": \"pair\", \"text\": \"where is my card\","
        + " \"text_pair\": \"it ships tomorrow\", \"top_k\": 2}").json();
    assertEquals("pair", jbert.get("model").asText());
    assertEquals(expected.label(), jbert.get("label").asText());
    assertEquals(expected.score(), jbert.get("score").asDouble(), 1e-5);
    assertEquals(2, jbert.get("top_k").size());

    JsonNode many = http.post("/v1/models/pair/classify", "{\"texts\": [\"where is my card\", \"refund\"],"
        + " \"text_pair\": [\"it ships tomorrow\", \"done\"]}").json();
    assertEquals(2, many.get("results").size());
    assertEquals(expected.label(), many.at("/results/0/label").asText());
  }

  @Test
  void rerankRanksRepliesByTheProbabilityOfTheNamedLabel() {
    String query = "where is my card";
    List<String> replies = List.of("it ships tomorrow", "refund my order please", "card not arrived");
    Predictor predictor = Predictor.of(pair);
    List<RankedReply> expected = predictor.rankReplies(query, replies, "yes");
    String body = "{\"query\": \"where is my card\", \"texts\": [\"it ships tomorrow\", \"refund my order please\","
        + " \"card not arrived\"], \"label\": \"yes\"";
    JsonNode ranked = http.post("/rerank", body + ", \"return_text\": true}").json();   // the first pair model: "pair"
    assertEquals(expected.size(), ranked.size());
    for (int r = 0; r < ranked.size(); r++) {
      assertEquals(expected.get(r).index(), ranked.get(r).get("index").asInt(), "rank " + r);
      assertEquals(expected.get(r).score(), ranked.get(r).get("score").asDouble(), 1e-5, "rank " + r);
      assertEquals(expected.get(r).reply(), ranked.get(r).get("text").asText());
    }
    JsonNode raw = http.post("/v1/models/pair/rerank", body + ", \"raw_scores\": true}").json();
    int yes = pair.labels().id("yes");
    for (JsonNode rank : raw) {
      int i = rank.get("index").asInt();
      float logit = predictor.rawScores(List.of(Input.pair(query, replies.get(i))))[0][yes];
      assertEquals(logit, rank.get("score").asDouble(), 1e-5, "reply " + i);
      assertFalse(rank.has("text"));
    }
  }

  @Test
  void rerankNeedsAPairModelAndOneOfItsLabels() {
    String texts = "\"query\": \"where is my card\", \"texts\": [\"it ships tomorrow\"]";
    Http.Response noLabel = http.post("/rerank", "{" + texts + "}");
    assertEquals(422, noLabel.status());
    assertTrue(noLabel.json().get("error").asText().contains("[no, yes]"), noLabel.body());
    Http.Response unknown = http.post("/rerank", "{" + texts + ", \"label\": \"maybe\"}");
    assertEquals(422, unknown.status());
    assertTrue(unknown.json().get("error").asText().contains("'maybe'"), unknown.body());
    Http.Response intentModel = http.post("/v1/models/intent/rerank", "{" + texts + ", \"label\": \"card\"}");
    assertEquals(400, intentModel.status());
    assertTrue(intentModel.json().get("error").asText().contains("--task pair"), intentModel.body());
    assertEquals(422, http.post("/rerank", "{\"query\": \"x\", \"texts\": [], \"label\": \"yes\"}").status());
    assertEquals(422, http.post("/rerank", "{\"texts\": [\"x\"], \"label\": \"yes\"}").status());
    assertTrue(http.get("/v1/models/pair").json().get("routes").toString().contains("/v1/models/pair/rerank"));
    assertFalse(http.get("/v1/models/intent").json().get("routes").toString().contains("rerank"));
  }

  @Test
  void classifyAnswersLikeThePredictorWithTopKAndContext() {
    Predictor predictor = Predictor.of(intent).withTopK(2);
    JsonNode r = http.post("/v1/classify", "{\"texts\": [\"where is my card\", \"refund my order\"], \"top_k\": 2}")
        .json();
    assertEquals("intent", r.get("model").asText());
    for (int i = 0; i < 2; i++) {
      Prediction p = predictor.classify(List.of("where is my card", "refund my order").get(i));
      JsonNode got = r.get("results").get(i);
      assertEquals(p.label(), got.get("label").asText());
      assertEquals(p.score(), got.get("score").asDouble(), 1e-5);
      assertFalse(got.get("handed_off").asBoolean());
      assertEquals(p.topK().get(1).label(), got.get("top_k").get(1).get("label").asText());
    }

    List<String> turns = List.of("hello", "how can i help");
    Prediction inContext = Predictor.of(context).classifyInContext("card not arrived", turns);
    JsonNode c = http.post("/v1/models/context/classify", "{\"text\": \"card not arrived\","
        + " \"context\": [\"hello\", \"how can i help\"]}").json();
    assertEquals(inContext.label(), c.get("label").asText());
    assertEquals(inContext.score(), c.get("score").asDouble(), 1e-5);
    JsonNode cs = http.post("/v1/models/context/classify", "{\"texts\": [\"card not arrived\", \"refund\"],"
        + " \"context\": [[\"hello\", \"how can i help\"], []]}").json();
    assertEquals(inContext.score(), cs.at("/results/0/score").asDouble(), 1e-5);
    assertEquals(Predictor.of(context).classify("refund").score(), cs.at("/results/1/score").asDouble(), 1e-5);
  }

  @Test
  void handOffBelowTheRequestOrTheSavedThreshold() {
    JsonNode asked = http.post("/v1/classify", "{\"text\": \"where is my card\", \"threshold\": 1.0,"
        + " \"handoff_label\": \"转人工\"}").json();
    assertEquals("转人工", asked.get("label").asText());
    assertTrue(asked.get("handed_off").asBoolean());
    JsonNode none = http.post("/v1/classify", "{\"text\": \"where is my card\", \"threshold\": 0}").json();
    assertFalse(none.get("handed_off").asBoolean());
    JsonNode saved = http.post("/v1/models/handoff/classify", "{\"text\": \"where is my card\"}").json();
    assertEquals("转人工", saved.get("label").asText());
    JsonNode overridden = http.post("/v1/models/handoff/classify", "{\"text\": \"where is my card\", \"threshold\": 0}")
        .json();
    assertFalse(overridden.get("handed_off").asBoolean());
  }

  @Test
  void regressionModelsAnswerTheirScore() {
    double expected = Predictor.of(score).score("where is my card");
    JsonNode r = http.post("/v1/models/score/classify", "{\"text\": \"where is my card\"}").json();
    assertEquals(expected, r.get("score").asDouble(), 1e-5);
    assertFalse(r.has("label"));
    JsonNode tei = http.post("/v1/models/score/predict", "{\"inputs\": \"where is my card\"}").json();
    assertEquals(expected, tei.get(0).get("score").asDouble(), 1e-5);
    assertEquals("LABEL_0", tei.get(0).get("label").asText());
  }

  @Test
  void embedGivesTheSentenceEmbedderVectors() {
    float[][] expected = miniLm.embedAll(List.of("My card still hasn't arrived.", "refund"));
    JsonNode normalized = http.post("/embed", "{\"inputs\": [\"My card still hasn't arrived.\", \"refund\"]}").json();
    JsonNode raw = http.post("/v1/models/minilm/embed", "{\"inputs\": \"refund\", \"normalize\": false}").json();
    assertEquals(2, normalized.size());
    assertEquals(1, raw.size());
    for (int i = 0; i < 2; i++) {
      assertClose(Pooling.normalize(expected[i].clone()), normalized.get(i));
    }
    assertClose(expected[1], raw.get(0));
  }

  @Test
  void openAiEmbeddingsInFloatsAndBase64() {
    float[] expected = Pooling.normalize(miniLm.embed("refund"));
    JsonNode r = http.post("/v1/embeddings", "{\"input\": \"refund\", \"model\": \"minilm\"}").json();
    assertEquals("list", r.get("object").asText());
    assertEquals("minilm", r.get("model").asText());
    assertEquals("embedding", r.at("/data/0/object").asText());
    assertEquals(0, r.at("/data/0/index").asInt());
    assertClose(expected, r.at("/data/0/embedding"));
    int tokens = miniLm.encode("refund").length();
    assertEquals(tokens, r.at("/usage/prompt_tokens").asInt());
    assertEquals(tokens, r.at("/usage/total_tokens").asInt());

    JsonNode b = http.post("/v1/embeddings", "{\"input\": [\"refund\"], \"encoding_format\": \"base64\"}").json();
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b.at("/data/0/embedding").asText()))
        .order(ByteOrder.LITTLE_ENDIAN);
    float[] decoded = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(decoded);
    assertArrayEquals(expected, decoded, 1e-5f);
  }

  @Test
  void tokenizeGivesIdsAndCodePointSpans() {
    String text = "card 🙂 到了吗";
    Http.Response raw = http.post("/v1/models/minilm/tokenize", "{\"inputs\": \"" + text + "\"}");
    assertTrue(raw.body().contains("\"text\":\"🙂\""), "an emoji is written as itself: " + raw.body());
    JsonNode r = raw.json();
    Encoding e = miniLm.tokenizer().encode(text);
    JsonNode tokens = r.get(0);
    assertEquals(e.length(), tokens.size());
    for (int i = 0; i < e.length(); i++) {
      assertEquals(e.inputIds()[i], tokens.get(i).get("id").asInt());
    }
    assertTrue(tokens.get(0).get("special").asBoolean());
    assertTrue(tokens.get(0).get("start").isNull());
    JsonNode card = tokens.get(1);
    assertEquals("card", card.get("text").asText());
    assertEquals(0, card.get("start").asInt());
    assertEquals(4, card.get("stop").asInt());
    JsonNode dao = tokens.get(tokens.size() - 4); // 到 comes after the emoji, which is 2 UTF-16 units but 1 code point
    assertEquals("到", dao.get("text").asText());
    assertEquals(7, dao.get("start").asInt());

    JsonNode plain = http.post("/tokenize", "{\"inputs\": [\"card\", \"refund\"], \"add_special_tokens\": false}").json();
    assertEquals(2, plain.size());
    assertEquals(1, plain.get(0).size());
    assertFalse(plain.get(0).get(0).get("special").asBoolean());
  }

  @Test
  void routesAModelCannotAnswerAndUnknownNamesAreRefused() {
    Http.Response embedOnClassifier = http.post("/v1/models/intent/embed", "{\"inputs\": \"x\"}");
    assertEquals(400, embedOnClassifier.status());
    assertTrue(embedOnClassifier.json().get("error").asText().contains("does not answer"));
    assertEquals(400, http.post("/predict", "{\"inputs\": \"x\", \"model\": \"minilm\"}").status());
    assertEquals(400, http.post("/v1/embeddings", "{\"input\": \"x\", \"model\": \"intent\"}").status());
    Http.Response unknown = http.post("/v1/embeddings", "{\"input\": \"x\", \"model\": \"text-embedding-3-small\"}");
    assertEquals(404, unknown.status());
    assertEquals("not_found", unknown.errorType());
    assertTrue(unknown.json().get("error").asText().contains("minilm"), "lists the served models");
    assertEquals(404, http.get("/v1/models/nope/info").status());
    assertEquals(422, http.post("/v1/models/intent/classify", "{\"text\": \"x\", \"model\": \"pair\"}").status());
    Http.Response noRoute = http.get("/nothing");
    assertEquals(404, noRoute.status());
    assertEquals("not_found", noRoute.errorType());
    Http.Response wrongMethod = http.get("/predict");
    assertEquals(405, wrongMethod.status());
    assertEquals("method_not_allowed", wrongMethod.errorType());
  }

  @Test
  void metricsCountRequestsByRouteAndStatus() {
    http.post("/predict", "{\"inputs\": \"where is my card\"}");
    http.post("/predict", "{\"inputs\": 3}");
    Http.Response m = http.get("/metrics");
    assertEquals(200, m.status());
    assertTrue(m.header("content-type").startsWith("text/plain"), m.header("content-type"));
    String text = m.body();
    assertTrue(text.contains("jbert_requests_total{model=\"intent\",route=\"/predict\",status=\"200\"}"), text);
    assertTrue(text.contains("jbert_requests_total{model=\"intent\",route=\"/predict\",status=\"422\"}"), text);
    for (String name : List.of("jbert_request_duration_seconds_bucket", "jbert_request_tokenization_duration_seconds",
        "jbert_request_queue_duration_seconds", "jbert_request_inference_duration_seconds", "jbert_batch_size",
        "jbert_batch_tokens", "jbert_queue_depth{model=\"intent\"}", "jbert_model_load_duration_seconds{model=\"minilm\"}",
        "jbert_ready 1")) {
      assertTrue(text.contains(name), name);
    }
  }

  private static void assertClose(float[] expected, JsonNode actual) {
    assertEquals(expected.length, actual.size());
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual.get(i).floatValue(), 1e-5, "component " + i);
    }
  }
}
