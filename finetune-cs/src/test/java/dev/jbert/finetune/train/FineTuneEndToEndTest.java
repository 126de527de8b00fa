package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.core.io.Safetensors;
import dev.jbert.core.io.TensorData;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.report.LogEntry;
import dev.jbert.finetune.report.TrainingLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small fine-tuning of tiny-random-bert-large-init on 240 synthetic tickets of 4 intents (chance 25%), then
 * every output checked: accuracy, the Hugging Face model folder, reloading, prediction, reports.
 */
class FineTuneEndToEndTest {

  @TempDir static Path tmp;
  private static List<Example> eval;
  private static FineTuneResult result;
  private static Path out;

  @BeforeAll
  static void train() throws Exception {
    List<Example> train = SyntheticTickets.intents(60, 1, tmp.resolve("train.csv"));
    eval = SyntheticTickets.intents(20, 2, tmp.resolve("eval.csv"));
    out = tmp.resolve("out");
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(1e-2).epochs(8).batchSize(16).loggingSteps(5)
        .handOffPrecision(0.99).outOfScopeLabel("refund").build();
    result = FineTuning.run(SharedModels.tinyBertLargeInit(), train, eval, out, config, TrainingListener.NONE);
  }

  @Test
  void accuracyRisesFarAboveChance() {
    assertTrue(result.evaluation().classification().accuracy() > 0.9,
        "accuracy " + result.evaluation().classification().accuracy() + " (chance 0.25)");
    assertEquals("eval", result.evaluatedOn());
    assertEquals(8 * 15, result.state().step());
    assertTrue(result.state().finished());
  }

  @Test
  void outputIsAHuggingFaceModelFolder() throws Exception {
    JsonNode config = Json.MAPPER.readTree(out.resolve("config.json").toFile());
    assertEquals("BertForSequenceClassification", config.get("architectures").get(0).asText());
    // The checkpoint's head had other labels (greeting, delivery, refund): new ids, sorted by name.
    assertEquals(Map.of("0", "account", "1", "card", "2", "delivery", "3", "refund"),
        Json.MAPPER.convertValue(config.get("id2label"), Map.class));
    assertEquals(3, config.get("label2id").get("refund").asInt());
    assertEquals("single_label_classification", config.get("problem_type").asText());
    assertEquals("intent", config.get("jbert").get("task").asText());
    assertEquals(64, config.get("jbert").get("max_length").asInt(), "128 capped by max_position_embeddings");

    Map<String, TensorData> tensors = Safetensors.read(out.resolve("model.safetensors"));
    assertArrayEquals(new long[] {4, 32}, tensors.get("classifier.weight").shape());
    assertNotNull(tensors.get("bert.embeddings.word_embeddings.weight"));
    assertNotNull(tensors.get("bert.pooler.dense.weight"));
    assertTrue(Files.isRegularFile(out.resolve("vocab.txt")));
    assertTrue(Files.isRegularFile(out.resolve("tokenizer_config.json")));
  }

  @Test
  void reloadedModelPredictsWhatTheTrainedOneDid() throws Exception {
    // The best epoch's evaluation ran on the model in memory; the result's on the model read back from disk.
    int bestStep = result.state().bestEpoch() * 15;
    LogEntry best = TrainingLog.read(out.resolve(TrainingLog.FILE_NAME)).stream()
        .filter(e -> e.step() == bestStep && !e.eval().isEmpty()).findFirst().orElseThrow();
    // the result's loss is at the calibration temperature fitted afterwards; metrics.json keeps the loss at temperature 1
    JsonNode calibration = Json.MAPPER.readTree(out.resolve("metrics.json").toFile()).get("calibration");
    assertEquals(best.eval().get(Evaluation.LOSS), calibration.get("nll_before_calibration").asDouble(), 1e-12);
    assertEquals(calibration.get("nll").asDouble(), result.evaluation().loss(), 1e-12);
    assertTrue(result.evaluation().loss() <= best.eval().get(Evaluation.LOSS), "the temperature minimises the NLL");
    assertEquals(best.eval().get(Evaluation.ACCURACY), result.evaluation().classification().accuracy(), 0.0);

    try (FineTunedModel model = FineTunedModel.load(out)) {
      Predictor predictor = new Predictor(model, 3, null, 7);
      List<Prediction> predictions = predictor.classifyExamples(eval);
      for (int i = 0; i < eval.size(); i++) {
        Prediction p = predictions.get(i);
        assertEquals(model.labels().label(result.evaluation().predicted()[i]), p.label());
        assertEquals(result.evaluation().confidence()[i], p.score(), 1e-6);
        assertEquals(3, p.topK().size());
        assertTrue(p.topK().get(0).score() >= p.topK().get(1).score());
      }
    }
  }

  @Test
  void handOffThresholdIsPickedOnTheEvaluationDataAndSaved() throws Exception {
    assertNotNull(result.handOff());
    try (FineTunedModel model = FineTunedModel.load(out)) {
      assertEquals(result.handOff().threshold(), model.settings().handOff().threshold(), 0.0);
      assertEquals("transfer_to_agent", model.settings().handOff().handOffLabel());
    }
    JsonNode metrics = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
    assertEquals(result.handOff().threshold(), metrics.get("handoff").get("threshold").asDouble(), 0.0);
    assertTrue(metrics.get("handoff").get("precision").asDouble() >= 0.99);
    assertTrue(metrics.get("out_of_scope").has("out_of_scope_recall"));
  }

  @Test
  void metricsLogAndCharts() throws Exception {
    JsonNode metrics = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
    assertEquals("eval", metrics.get("split").asText());
    assertEquals(80, metrics.get("examples").asInt());
    JsonNode classification = metrics.get("classification");
    assertEquals(result.evaluation().classification().accuracy(), classification.get("accuracy").asDouble(), 0.0);
    assertEquals(4, classification.get("per_class").size());
    assertEquals(4, classification.get("confusion").size());
    assertTrue(classification.has("macro_f1"));

    List<LogEntry> log = TrainingLog.read(out.resolve(TrainingLog.FILE_NAME));
    assertEquals(8, log.stream().filter(e -> !e.eval().isEmpty()).count(), "one evaluation per epoch");
    assertEquals(24, log.stream().filter(e -> e.loss() != null).count(), "a training entry every 5 steps");
    LogEntry first = log.get(0);
    LogEntry last = log.stream().filter(e -> e.loss() != null).reduce((a, b) -> b).orElseThrow();
    assertTrue(last.loss() < first.loss() / 2, "loss " + first.loss() + " -> " + last.loss());
    for (String png : List.of("learning_curve.png", "confusion_matrix.png")) {
      byte[] head = Files.readAllBytes(out.resolve(png));
      assertEquals((byte) 0x89, head[0]);
      assertEquals('P', head[1]);
    }
  }
}
