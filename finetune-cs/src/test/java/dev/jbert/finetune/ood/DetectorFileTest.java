package dev.jbert.finetune.ood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.io.Safetensors;
import dev.jbert.core.io.TensorData;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.model.TaskSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detectors and their settings saved with a model and read back. */
class DetectorFileTest {

  @TempDir Path dir;

  @Test
  void everyDetectorScoresBitForBitAfterSavingAndLoading() throws Exception {
    Random random = new Random(11);
    float[][] features = new float[40][6];
    int[] classes = new int[40];
    for (int i = 0; i < 40; i++) {
      classes[i] = i % 3;
      for (int j = 0; j < 6; j++) {
        features[i][j] = (float) (random.nextGaussian() + classes[i]);
      }
    }
    MahalanobisDetector mahalanobis = MahalanobisDetector.fit(features, classes);
    KnnDetector knn = new KnnDetector(features, 4);
    DetectorFile.save(dir, List.of(new SoftmaxDetector(1.7), new EnergyDetector(1.7), mahalanobis, knn));
    Map<DetectorKind, OodDetector> back = DetectorFile.load(dir, 1.7);
    assertEquals(4, back.size());
    assertEquals(4, ((KnnDetector) back.get(DetectorKind.KNN)).k());
    assertEquals(new SoftmaxDetector(1.7), back.get(DetectorKind.SOFTMAX));
    assertEquals(new EnergyDetector(1.7), back.get(DetectorKind.ENERGY));
    Map<DetectorKind, OodDetector> fitted = Map.of(DetectorKind.MAHALANOBIS, mahalanobis, DetectorKind.KNN, knn);
    for (int q = 0; q < 20; q++) {
      float[] f = new float[6];
      float[] logits = {(float) random.nextGaussian(), (float) random.nextGaussian()};
      for (int j = 0; j < 6; j++) {
        f[j] = (float) (3 * random.nextGaussian());
      }
      for (DetectorKind kind : fitted.keySet()) {
        assertEquals(fitted.get(kind).score(logits, f), back.get(kind).score(logits, f), 0, kind.id());
      }
    }
  }

  @Test
  void aFolderWithoutTheFileHasTheLogitDetectorsOnly() throws Exception {
    Map<DetectorKind, OodDetector> detectors = DetectorFile.load(dir, 1.0);
    assertEquals(List.of(DetectorKind.SOFTMAX, DetectorKind.ENERGY), List.copyOf(detectors.keySet()));
    assertInstanceOf(SoftmaxDetector.class, detectors.get(DetectorKind.SOFTMAX));
  }

  @Test
  void aDamagedFileIsNamed() throws Exception {
    Safetensors.write(dir.resolve(DetectorFile.FILE_NAME), List.of(new TensorData("knn.bank", new long[] {2, 2}, new float[4])),
        Map.of());
    CheckpointException e = assertThrows(CheckpointException.class, () -> DetectorFile.load(dir, 1.0));
    assertTrue(e.getMessage().contains(DetectorFile.FILE_NAME) && e.getMessage().contains("knn.k"), e.getMessage());
  }

  @Test
  void temperatureThresholdsAndHandOffDetectorSurviveConfigJson() throws Exception {
    BertConfig base = BertConfig.load(SharedModels.tinyBert().resolve("config.json"));
    TaskSettings settings = new TaskSettings(Task.INTENT, false, 64, new HandOff(-12.5, "oos", DetectorKind.MAHALANOBIS),
        TaskSettings.Columns.UNKNOWN, 1.42, Map.of(DetectorKind.SOFTMAX, 0.4, DetectorKind.MAHALANOBIS, -12.5));
    TaskSettings back = TaskSettings.read(BertConfig.fromJson(settings.writeTo(base).toJson()));
    assertEquals(settings, back);
    assertEquals("mahalanobis", settings.writeTo(base).toJson().get("jbert").get("handoff_detector").asText());
  }

  @Test
  void aConfigSavedBeforeCalibrationReadsAsTemperatureOneAndSoftmax() throws Exception {
    BertConfig base = BertConfig.load(SharedModels.tinyBert().resolve("config.json"));
    var json = base.toJson();
    json.putObject("jbert").put("task", "intent").put("handoff_threshold", 0.3).put("handoff_label", "human");
    TaskSettings old = TaskSettings.read(BertConfig.fromJson(json));
    assertEquals(1.0, old.temperature());
    assertTrue(old.oodThresholds().isEmpty());
    assertEquals(new HandOff(0.3, "human", DetectorKind.SOFTMAX), old.handOff());
    assertFalse(old.writeTo(base).toJson().get("jbert").has("temperature"), "temperature 1 is not written");
    assertFalse(Files.exists(dir.resolve(DetectorFile.FILE_NAME)));
  }

  @Test
  void withoutOutOfScopeMessagesTheTableHasNoAurocAndTheThresholdKeepsTheInScopeShare() {
    DetectorTable table = new DetectorTable(new int[] {0, 1, 0, 1}, new int[] {0, 1, 1, 1}, -1);
    double[] scores = {4, 3, 2, 1};
    double t = table.thresholdFor(scores, 0.75);
    assertEquals(1.5, t, 0, "3 of 4 kept (4, 3, 2): halfway from 2 to the next lower score, 1");
    DetectorReport r = table.report(DetectorKind.ENERGY, scores, t);
    assertTrue(Double.isNaN(r.auroc()) && Double.isNaN(r.fprAt95InScopeRecall()) && Double.isNaN(r.outOfScopeRecall()));
    assertEquals(0.75, r.inScopeRecall(), 0);
    assertEquals(0.5, r.inScopeAccuracy(), 0, "messages 0 and 1 right and kept; 2 kept but wrong; 3 handed off");
    assertEquals(null, DetectorTable.bestAuroc(List.of(r)));
  }

  @Test
  void answersOfTheOutOfScopeClassCountAsDetected() {
    // class 2 is out of scope; message 1 is in scope but answered 2, message 3 is out of scope and answered 2
    DetectorTable table = new DetectorTable(new int[] {0, 1, 2, 2}, new int[] {0, 2, 0, 2}, 2);
    double[] scores = {5, 9, 1, 9};
    DetectorReport r = table.report(DetectorKind.SOFTMAX, scores, 3);
    assertEquals(1.0, r.outOfScopeRecall(), 0, "one below the threshold, one answered with the class");
    assertEquals(0.5, r.inScopeRecall(), 0, "the in-scope message answered out of scope is lost");
    // effective in-scope scores {5, −∞}, out-of-scope {1, −∞}: pairs 5>1, 5>−∞, −∞<1, −∞=−∞ → 2.5 of 4
    assertEquals(0.625, r.auroc(), 1e-12);
  }
}
