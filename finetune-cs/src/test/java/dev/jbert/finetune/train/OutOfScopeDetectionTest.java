package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.Inference;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.ood.ConfidenceConfig;
import dev.jbert.finetune.ood.DetectorFile;
import dev.jbert.finetune.ood.DetectorKind;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.predict.Softmax;
import dev.jbert.finetune.report.ReliabilityDiagram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny model trained with out-of-scope validation data ("refund" plays CLINC150's {@code oos}),
 * every detector fitted and the best chosen: the folder, {@code metrics.json}, the reliability
 * diagram, and Predictor's hand-off by the saved detector.
 */
class OutOfScopeDetectionTest {

  @TempDir static Path tmp;
  private static List<Example> eval;
  private static Path out;
  private static JsonNode metrics;

  @BeforeAll
  static void train() throws Exception {
    List<Example> train = SyntheticTickets.intents(60, 1, tmp.resolve("train.csv"));
    eval = SyntheticTickets.intents(20, 2, tmp.resolve("eval.csv"));
    out = tmp.resolve("out");
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(1e-2).epochs(4).batchSize(16).outOfScopeLabel("refund")
        .handOffLabel("oos").confidence(ConfidenceConfig.DEFAULT.withDetector(ConfidenceConfig.AUTO).withKnnK(5)).build();
    FineTuning.run(SharedModels.tinyBertLargeInit(), train, eval, out, config, TrainingListener.NONE);
    metrics = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
  }

  @Test
  void metricsReportCalibrationAndEveryDetector() {
    JsonNode calibration = metrics.get("calibration");
    for (String key : List.of("temperature", "fitted_on", "bins", "ece_before_calibration", "ece", "nll_before_calibration", "nll",
        "selective_accuracy")) {
      assertTrue(calibration.has(key), key + " in " + calibration);
    }
    assertEquals("eval", calibration.get("fitted_on").asText());
    assertTrue(calibration.get("nll").asDouble() <= calibration.get("nll_before_calibration").asDouble() + 1e-12,
        "the fitted temperature minimises the NLL: " + calibration);
    JsonNode detection = metrics.get("out_of_scope_detection");
    assertEquals("refund", detection.get("label").asText());
    Set<String> names = new HashSet<>();
    for (JsonNode d : detection.get("detectors")) {
      names.add(d.get("detector").asText());
      for (String key : List.of("auroc", "fpr_at_95_in_scope_recall", "threshold", "in_scope_recall", "in_scope_accuracy",
          "out_of_scope_recall")) {
        assertTrue(d.has(key), key + " in " + d);
      }
      assertTrue(d.get("in_scope_recall").asDouble() >= 0.95, d.toString());
    }
    assertEquals(Set.of("softmax", "energy", "mahalanobis", "knn"), names);
    assertTrue(detection.get("chosen_by").asText().startsWith("best AUROC"));
    assertTrue(metrics.get("out_of_scope").has("out_of_scope_recall"));
  }

  @Test
  void folderHoldsDetectorsDiagramAndSettings() throws Exception {
    assertTrue(Files.size(out.resolve(DetectorFile.FILE_NAME)) > 0);
    byte[] png = Files.readAllBytes(out.resolve(ReliabilityDiagram.FILE_NAME));
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
    JsonNode jbert = Json.MAPPER.readTree(out.resolve("config.json").toFile()).get("jbert");
    assertEquals(metrics.get("calibration").get("temperature").asDouble(), jbert.get("temperature").asDouble(), 0);
    assertEquals(4, jbert.get("ood_thresholds").size());
    assertEquals("oos", jbert.get("handoff_label").asText());
  }

  /** Predictor hands off exactly the messages the saved detector scores below its saved threshold. */
  @Test
  void predictorHandsOffByTheSavedDetector() throws Exception {
    try (FineTunedModel model = FineTunedModel.load(out)) {
      String chosen = metrics.get("out_of_scope_detection").get("chosen").asText();
      assertEquals(DetectorKind.of(chosen), model.settings().handOff().detector());
      assertEquals(4, model.detectors().size());
      List<EncodedExample> encoded = model.encoder().encodeInputs(eval);
      Inference.Outputs outputs = Inference.outputs(model.model(), encoded, model.encoder().padId(), 32, true);
      double temperature = model.settings().temperature();
      for (DetectorKind kind : DetectorKind.values()) {
        double threshold = model.settings().oodThresholds().get(kind);
        List<Prediction> predictions = Predictor.of(model).withHandOff(new HandOff(threshold, "human", kind)).classifyExamples(eval);
        int keptInScope = 0;
        int inScope = 0;
        for (int i = 0; i < eval.size(); i++) {
          double score = model.detector(kind).score(outputs.logits()[i], outputs.features()[i]);
          assertEquals(score < threshold, predictions.get(i).handedOff(), kind.id() + " message " + i);
          double[] p = Softmax.of(outputs.logits()[i], temperature);
          assertEquals(Math.max(Math.max(p[0], p[1]), Math.max(p[2], p[3])), predictions.get(i).score(), 1e-6);
          if (!eval.get(i).label().equals("refund")) {
            inScope++;
            keptInScope += !predictions.get(i).handedOff() && !predictions.get(i).label().equals("refund") ? 1 : 0;
          }
        }
        double reported = reportedInScopeRecall(kind.id());
        assertEquals(reported, (double) keptInScope / inScope, 1e-12, kind.id() + ": Predictor agrees with metrics.json");
      }
      // Predictor.of uses the saved hand-off: the chosen detector at its threshold
      assertEquals(model.settings().handOff(), Predictor.of(model).handOff());
    }
  }

  @Test
  void aFolderSavedBeforeDetectorsStillLoadsAtTemperatureOne() throws Exception {
    Path old = tmp.resolve("old");
    Files.createDirectories(old);
    try (var files = Files.list(out)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, old.resolve(f.getFileName()));
      }
    }
    Files.delete(old.resolve(DetectorFile.FILE_NAME));
    ObjectNode config = (ObjectNode) Json.MAPPER.readTree(old.resolve("config.json").toFile());
    ObjectNode jbert = (ObjectNode) config.get("jbert");
    jbert.remove(List.of("temperature", "ood_thresholds", "handoff_detector"));
    jbert.put("handoff_threshold", 0.5);
    Json.MAPPER.writeValue(old.resolve("config.json").toFile(), config);
    try (FineTunedModel model = FineTunedModel.load(old)) {
      assertEquals(1.0, model.settings().temperature());
      assertEquals(new HandOff(0.5, "oos"), model.settings().handOff());
      assertFalse(model.detectors().containsKey(DetectorKind.MAHALANOBIS));
      Prediction p = Predictor.of(model).classify(eval.get(0).text());
      assertEquals(p.score() < 0.5, p.handedOff());
    }
  }

  private static double reportedInScopeRecall(String detector) {
    for (JsonNode d : metrics.get("out_of_scope_detection").get("detectors")) {
      if (d.get("detector").asText().equals(detector)) {
        return d.get("in_scope_recall").asDouble();
      }
    }
    throw new AssertionError("no " + detector);
  }
}
