package dev.jbert.finetune.train;

import dev.jbert.finetune.confidence.ConfidenceFitting;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.metrics.MetricsFile;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.TaskSettings;
import dev.jbert.finetune.predict.ThresholdPicker;
import dev.jbert.finetune.report.ConfusionMatrixChart;
import dev.jbert.finetune.report.LearningCurveChart;
import dev.jbert.finetune.report.LogEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The last stage of a run: reload the kept model from the run's folder, score it, calibrate it and fit
 * out-of-scope detectors ({@link ConfidenceFitting}), pick the hand-off threshold if asked, and write
 * {@code metrics.json}, {@code learning_curve.png} and (classification) {@code confusion_matrix.png}
 * and {@code reliability_diagram.png}. Without scoring ({@code finalEvaluation} off) {@code metrics.json}
 * holds the training summary only and there is no confusion matrix.
 */
final class RunReport {

  /**
   * The entries the report itself writes, each named here once ({@link #key}), so that a caller's
   * extra entries can be refused a name the report uses.
   */
  private enum Entry {
    SPLIT, EXAMPLES, LOSS, CLASSIFICATION, REGRESSION, TRAINING, CALIBRATION, HANDOFF, OUT_OF_SCOPE_DETECTION,
    OUT_OF_SCOPE;

    /** Its name in {@code metrics.json}. */
    final String key = name().toLowerCase(Locale.ROOT);
  }

  private RunReport() {}

  /** Refuses, before any training, an extra entry that would replace one of the report's own. */
  static void checkExtraEntries(Map<String, ?> extra) {
    for (String name : extra.keySet()) {
      if (Arrays.stream(Entry.values()).anyMatch(e -> e.key.equals(name))) {
        throw new IllegalArgumentException("metrics.json entry '" + name + "' is written by the run itself; name yours otherwise");
      }
    }
  }

  /**
   * @param output the run's folder, holding the kept model
   * @param train the training examples (out-of-scope detectors are fitted on them)
   * @param examples what to score the kept model on; empty to skip scoring ({@code finalEvaluation} off)
   * @param split what {@code examples} are called in {@code metrics.json}
   * @param extra the caller's entries, written after the report's own
   */
  static FineTuneResult write(Path output, List<Example> train, List<Example> examples, String split, TrainerState state, FineTuneConfig config,
      List<LogEntry> log, Map<String, ?> extra) throws IOException {
    Map<String, Object> metrics = new LinkedHashMap<>();
    put(metrics, Entry.SPLIT, split);
    Map<String, Object> training = Map.of("steps", state.step(), "best_epoch", state.bestEpoch(),
        "selection_metric", config.metric(), "stop_reason", String.valueOf(state.stopReason()));
    if (!log.isEmpty()) {
      LearningCurveChart.write(log, config.metric(), output.resolve(LearningCurveChart.FILE_NAME));
    }
    if (examples.isEmpty()) {
      put(metrics, Entry.TRAINING, training);
      metrics.putAll(extra);
      MetricsFile.write(output.resolve(MetricsFile.FILE_NAME), metrics);
      return new FineTuneResult(output, null, split, state, null);
    }
    try (FineTunedModel kept = FineTunedModel.load(output)) {
      ConfidenceFitting.Result fitted = kept.labels() == null ? null : ConfidenceFitting.fit(kept, train, examples, split,
          config.confidence(), config.outOfScopeLabel(), config.handOffLabel(), config.batchSize(), output);
      Evaluation evaluation = fitted != null ? fitted.evaluation() : Evaluator.of(kept, config.batchSize()).evaluate(examples);
      TaskSettings settings = fitted != null ? fitted.settings() : kept.settings();
      ThresholdPicker.Choice choice = null;
      HandOff handOff = settings.handOff();
      if (config.handOffPrecision() != null) { // on the calibrated probabilities, as Predictor computes them
        choice = ThresholdPicker.forPrecision(evaluation.confidence(), correct(evaluation), config.handOffPrecision());
        handOff = new HandOff(choice.threshold(), config.handOffLabel());
        settings = settings.withHandOff(handOff);
      }
      if (!settings.equals(kept.settings())) {
        settings.writeTo(kept.model().config()).save(output.resolve("config.json"));
      }
      put(metrics, Entry.EXAMPLES, evaluation.count());
      put(metrics, Entry.LOSS, evaluation.loss());
      put(metrics, evaluation.isRegression() ? Entry.REGRESSION : Entry.CLASSIFICATION,
          evaluation.isRegression() ? evaluation.regression() : evaluation.classification());
      put(metrics, Entry.TRAINING, training);
      if (fitted != null) {
        put(metrics, Entry.CALIBRATION, fitted.calibration());
      }
      if (choice != null) {
        put(metrics, Entry.HANDOFF, handOffEntry(choice, handOff, config.handOffPrecision()));
      }
      if (fitted != null && fitted.detection() != null) {
        put(metrics, Entry.OUT_OF_SCOPE_DETECTION, fitted.detection());
      }
      if (config.outOfScopeLabel() != null) {
        put(metrics, Entry.OUT_OF_SCOPE, fitted != null && fitted.handOffScores() != null
            ? evaluation.outOfScope(kept.labels(), config.outOfScopeLabel(), handOff, fitted.handOffScores())
            : evaluation.outOfScope(kept.labels(), config.outOfScopeLabel(), handOff));
      }
      metrics.putAll(extra);
      MetricsFile.write(output.resolve(MetricsFile.FILE_NAME), metrics);
      if (!evaluation.isRegression()) {
        ConfusionMatrixChart.write(evaluation.classification().confusion(), kept.labels().labels(),
            output.resolve(ConfusionMatrixChart.FILE_NAME));
      }
      return new FineTuneResult(output, evaluation, split, state, choice);
    }
  }

  private static void put(Map<String, Object> metrics, Entry entry, Object value) {
    metrics.put(entry.key, value);
  }

  private static Map<String, Object> handOffEntry(ThresholdPicker.Choice choice, HandOff handOff, double target) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", handOff.handOffLabel());
    m.put("threshold", choice.threshold());
    m.put("target_precision", target);
    m.put("precision", choice.precision());
    m.put("coverage", choice.coverage());
    m.put("reached", choice.reached());
    return m;
  }

  private static boolean[] correct(Evaluation evaluation) {
    boolean[] ok = new boolean[evaluation.predicted().length];
    for (int i = 0; i < ok.length; i++) {
      ok[i] = evaluation.predicted()[i] == evaluation.gold()[i];
    }
    return ok;
  }
}
