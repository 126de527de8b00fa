package dev.jbert.finetune.confidence;

import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.calibrate.CalibrationSummary;
import dev.jbert.finetune.calibrate.TemperatureScaling;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.Inference;
import dev.jbert.finetune.model.TaskSettings;
import dev.jbert.finetune.ood.ConfidenceConfig;
import dev.jbert.finetune.ood.DetectorFile;
import dev.jbert.finetune.ood.DetectorKind;
import dev.jbert.finetune.ood.DetectorReport;
import dev.jbert.finetune.ood.DetectorTable;
import dev.jbert.finetune.ood.EnergyDetector;
import dev.jbert.finetune.ood.KnnDetector;
import dev.jbert.finetune.ood.MahalanobisDetector;
import dev.jbert.finetune.ood.OodDetector;
import dev.jbert.finetune.ood.SoftmaxDetector;
import dev.jbert.finetune.report.ReliabilityDiagram;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * After training a classifier: scores the kept model on the held-out split once (logits and, for
 * detectors, pooled features), fits the calibration temperature there, fits the feature detectors
 * (Mahalanobis, kNN) on the in-scope training messages, picks each detector's threshold for the
 * in-scope recall asked for and the detector of the hand-off, and writes {@code
 * reliability_diagram.png} and {@value DetectorFile#FILE_NAME} into the model folder. The caller
 * saves the returned settings in {@code config.json}.
 */
public final class ConfidenceFitting {

  /**
   * What fitting found.
   *
   * @param settings the model's settings with temperature, detector thresholds and (with a detector) the hand-off
   * @param evaluation the held-out split scored at the fitted temperature
   * @param calibration ECE and NLL before and after
   * @param detection the {@code out_of_scope_detection} block of {@code metrics.json}, or null without a detector
   * @param handOffScores each held-out message's score by the hand-off's detector, or null without a detector
   */
  public record Result(TaskSettings settings, Evaluation evaluation, CalibrationSummary calibration,
      Map<String, Object> detection, double[] handOffScores) {}

  private ConfidenceFitting() {}

  /**
   * @param kept the trained classifier, loaded from {@code output}
   * @param train the training examples (the feature detectors are fitted on those not labelled {@code outOfScopeLabel})
   * @param heldOut the examples to calibrate and pick thresholds on
   * @param heldOutName what they are called in reports: {@code validation}, {@code eval}, or {@code
   *     train} when there is no held-out split (then no temperature is fitted)
   * @param outOfScopeLabel the class of out-of-scope messages, or null
   * @param handOffLabel the answer of the hand-off
   */
  public static Result fit(FineTunedModel kept, List<Example> train, List<Example> heldOut, String heldOutName,
      ConfidenceConfig config, String outOfScopeLabel, String handOffLabel, int batchSize, Path output) throws IOException {
    LabelMap labels = kept.labels();
    List<EncodedExample> encoded = kept.encoder().encodeAll(heldOut, labels);
    Inference.Outputs outputs = Inference.outputs(kept.model(), encoded, kept.encoder().padId(), batchSize, config.fitsDetector());
    int[] gold = encoded.stream().mapToInt(EncodedExample::labelId).toArray();
    double temperature = 1.0;
    String fittedOn = "none";
    if (config.calibrate() && !heldOutName.equals("train")) {
      double t = TemperatureScaling.separates(outputs.logits(), gold) ? Double.NaN : TemperatureScaling.fit(outputs.logits(), gold);
      if (Double.isNaN(t)) {
        // the NLL falls towards T → 0, where every probability says 1: no temperature to learn from these messages
        fittedOn = "none: every " + heldOutName + " message is classified right, so no temperature minimises the NLL";
      } else if (TemperatureScaling.atBound(t)) {
        fittedOn = "none: the " + heldOutName + " NLL has no minimum for T in [" + TemperatureScaling.MIN + ", "
            + TemperatureScaling.MAX + "], the fit ended at " + t;
      } else {
        temperature = t;
        fittedOn = heldOutName;
      }
    }
    CalibrationSummary calibration = CalibrationSummary.measure(outputs.logits(), gold, temperature, fittedOn);
    ReliabilityDiagram.write(CalibrationSummary.bins(outputs.logits(), gold, 1.0), calibration.eceBeforeCalibration(),
        CalibrationSummary.bins(outputs.logits(), gold, temperature), calibration.ece(), temperature,
        output.resolve(ReliabilityDiagram.FILE_NAME));
    Evaluation evaluation = Evaluator.of(kept, batchSize).withTemperature(temperature).evaluateLogits(encoded, outputs.logits());
    TaskSettings settings = kept.settings().withTemperature(temperature);
    if (!config.fitsDetector()) {
      return new Result(settings, evaluation, calibration, null, null);
    }

    int outOfScopeId = outOfScopeLabel == null || !labels.contains(outOfScopeLabel) ? -1 : labels.id(outOfScopeLabel);
    Map<DetectorKind, OodDetector> detectors = new EnumMap<>(DetectorKind.class);
    detectors.put(DetectorKind.SOFTMAX, new SoftmaxDetector(temperature));
    detectors.put(DetectorKind.ENERGY, new EnergyDetector(temperature));
    fitFeatureDetectors(kept, train, outOfScopeLabel, config.knnK(), batchSize, detectors);
    DetectorTable table = new DetectorTable(gold, evaluation.predicted(), outOfScopeId);
    Map<DetectorKind, double[]> scores = DetectorTable.scores(detectors, outputs.logits(), outputs.features());
    Map<DetectorKind, Double> thresholds = new EnumMap<>(DetectorKind.class);
    List<DetectorReport> reports = new ArrayList<>();
    for (Map.Entry<DetectorKind, double[]> e : scores.entrySet()) {
      double t = table.thresholdFor(e.getValue(), config.inScopeRecall());
      thresholds.put(e.getKey(), t);
      reports.add(table.report(e.getKey(), e.getValue(), t));
    }
    DetectorKind chosen;
    String chosenBy;
    if (!config.detector().equals(ConfidenceConfig.AUTO)) {
      chosen = DetectorKind.of(config.detector());
      chosenBy = "requested";
    } else if (DetectorTable.bestAuroc(reports) != null) {
      chosen = DetectorKind.of(DetectorTable.bestAuroc(reports).detector());
      chosenBy = "best AUROC on " + heldOutName;
    } else {
      chosen = DetectorKind.SOFTMAX; // nothing to compare on: the classic threshold
      chosenBy = "default: no out-of-scope messages in " + heldOutName + " to compare AUROC on";
    }
    DetectorFile.save(output, detectors.values());
    settings = settings.withOodThresholds(thresholds).withHandOff(new HandOff(thresholds.get(chosen), handOffLabel, chosen));

    Map<String, Object> detection = new LinkedHashMap<>();
    detection.put("label", outOfScopeLabel);
    detection.put("in_scope_recall_target", config.inScopeRecall());
    detection.put("chosen", chosen.id());
    detection.put("chosen_by", chosenBy);
    detection.put("knn_k", config.knnK());
    detection.put("covariance_shrinkage", MahalanobisDetector.SHRINKAGE);
    detection.put("detectors", reports);
    return new Result(settings, evaluation, calibration, detection, scores.get(chosen));
  }

  /** Fits Mahalanobis and kNN on the pooled features of the in-scope training messages. */
  private static void fitFeatureDetectors(FineTunedModel kept, List<Example> train, String outOfScopeLabel, int k, int batchSize,
      Map<DetectorKind, OodDetector> detectors) {
    List<Example> inScope = train.stream().filter(e -> outOfScopeLabel == null || !outOfScopeLabel.equals(e.label())).toList();
    if (inScope.isEmpty()) {
      throw new IllegalArgumentException("no in-scope training messages to fit the Mahalanobis and kNN detectors on");
    }
    List<EncodedExample> encoded = kept.encoder().encodeAll(inScope, kept.labels());
    float[][] features = Inference.outputs(kept.model(), encoded, kept.encoder().padId(), batchSize, true).features();
    int[] classes = encoded.stream().mapToInt(EncodedExample::labelId).toArray();
    detectors.put(DetectorKind.MAHALANOBIS, MahalanobisDetector.fit(features, classes));
    detectors.put(DetectorKind.KNN, new KnnDetector(features, Math.min(k, features.length)));
  }

  /**
   * Every detector of a loaded model folder with a saved threshold, on labelled messages: the
   * {@code detectors} list of {@code jbert eval}'s {@code out_of_scope_detection}.
   *
   * @param features the messages' pooled features, or null when the folder has no feature detector
   */
  public static List<DetectorReport> reportSaved(FineTunedModel model, float[][] logits, float[][] features, int[] gold,
      int[] predicted, String outOfScopeLabel) {
    LabelMap labels = model.labels();
    int outOfScopeId = outOfScopeLabel == null || !labels.contains(outOfScopeLabel) ? -1 : labels.id(outOfScopeLabel);
    DetectorTable table = new DetectorTable(gold, predicted, outOfScopeId);
    List<DetectorReport> reports = new ArrayList<>();
    model.settings().oodThresholds().forEach((kind, threshold) ->
        reports.add(table.report(kind, model.detector(kind).scores(logits, kind.usesFeatures() ? features : null), threshold)));
    return reports;
  }
}
