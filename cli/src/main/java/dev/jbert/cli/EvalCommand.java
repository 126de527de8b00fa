package dev.jbert.cli;

import dev.jbert.core.io.HubResolver;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.calibrate.CalibrationSummary;
import dev.jbert.finetune.confidence.ConfidenceFitting;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.metrics.ClassificationMetrics;
import dev.jbert.finetune.metrics.RegressionMetrics;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.Inference;
import dev.jbert.finetune.ood.DetectorKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code jbert eval}: scores a fine-tuned model on a labelled file and prints the metrics as JSON on
 * stdout (the layout of {@code metrics.json}, snake_case keys) and a one-line summary on stderr. The
 * columns default to those the model was trained on. A label the model does not know exits with
 * code 2, naming file, line and the model's labels.
 */
@Command(name = "eval", sortOptions = false, description = "Score a fine-tuned model on labelled data; metrics JSON on stdout.")
final class EvalCommand implements Callable<Integer> {

  @CommandLine.Mixin JbertCli.Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "A fine-tuned model folder.")
  String model;

  @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled data (.csv, .tsv or .jsonl).")
  Path data;

  @CommandLine.Mixin DataColumns columns;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--threshold", paramLabel = "T",
      description = "Hand-off confidence threshold, or with --ood-detector that detector's threshold (default: the one "
          + "saved with the model, if any).")
  Double threshold;

  @Option(names = "--ood-detector", paramLabel = "NAME",
      description = "Hand off by this out-of-scope detector saved with the model (softmax, energy, mahalanobis, knn) at its "
          + "saved threshold (default: the model's hand-off detector).")
  String oodDetector;

  @Option(names = "--handoff-label", paramLabel = "LABEL", description = "Hand-off answer (default: the model's, else transfer_to_agent).")
  String handOffLabel;

  @Option(names = "--oos-label", paramLabel = "LABEL",
      description = "Label of out-of-scope messages (e.g. oos): report in-scope accuracy and out-of-scope recall.")
  String outOfScopeLabel;

  @Override
  public Integer call() throws IOException {
    try (FineTunedModel loaded = FineTunedModel.load(HubResolver.fromEnvironment(new TerminalDownloads()).resolve(model))) {
      boolean regression = loaded.settings().task().isRegression();
      if (regression && (threshold != null || handOffLabel != null || outOfScopeLabel != null || oodDetector != null)) {
        throw new IllegalArgumentException("--threshold, --ood-detector, --handoff-label and --oos-label apply to labels; "
            + "this regression model gives one score per message");
      }
      ReadOptions options = columns.readOptions(loaded.settings().task(), loaded.settings().columns());
      if (loaded.settings().contextSegment() && options.contextColumn() == null) {
        // without it every example would lose its earlier turns and be scored on another input than trained on
        throw new IllegalArgumentException("this model was trained with earlier turns in segment A: pass "
            + "--context-column NAME, the column of earlier turns in " + data);
      }
      HandOff handOff = regression ? null : PredictCommand.handOff(loaded, threshold, oodDetector, handOffLabel);
      List<Example> examples = columns.read(data, options);
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("data", data.toString());
      Evaluation evaluation;
      try {
        evaluation = regression ? Evaluator.of(loaded, batchSize).evaluate(examples) : classify(loaded, examples, handOff, metrics);
      } catch (DataFileException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      if (regression) {
        metrics.put("examples", evaluation.count());
        metrics.put("loss", evaluation.loss());
        metrics.put("regression", evaluation.regression());
      }
      spec.commandLine().getOut().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(metrics));
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().println(summary(evaluation));
      spec.commandLine().getErr().flush();
    }
    return 0;
  }

  /**
   * Scores a classifier once (logits and, for its feature detectors, pooled features) and puts into
   * {@code metrics}: examples, loss, classification, calibration (ECE at temperature 1 and at the
   * model's), hand-off, out-of-scope metrics and, for a model with saved detectors, each detector's
   * AUROC, FPR95, recall and accuracy at its saved threshold.
   */
  private Evaluation classify(FineTunedModel loaded, List<Example> examples, HandOff handOff, Map<String, Object> metrics) {
    List<EncodedExample> encoded = loaded.encoder().encodeAll(examples, loaded.labels());
    boolean reportDetectors = outOfScopeLabel != null && !loaded.settings().oodThresholds().isEmpty();
    boolean features = (handOff != null && handOff.detector().usesFeatures())
        || (reportDetectors && loaded.settings().oodThresholds().keySet().stream().anyMatch(DetectorKind::usesFeatures));
    Inference.Outputs outputs = Inference.outputs(loaded.model(), encoded, loaded.encoder().padId(), batchSize, features);
    Evaluation evaluation = Evaluator.of(loaded, batchSize).evaluateLogits(encoded, outputs.logits());
    metrics.put("examples", evaluation.count());
    metrics.put("loss", evaluation.loss());
    metrics.put("classification", evaluation.classification());
    double temperature = loaded.settings().temperature();
    metrics.put("calibration", CalibrationSummary.measure(outputs.logits(), evaluation.gold(), temperature,
        temperature == 1.0 ? "none" : "saved with the model"));
    double[] scores = handOff == null ? null : handOff.detector() == DetectorKind.SOFTMAX ? evaluation.confidence()
        : loaded.detector(handOff.detector()).scores(outputs.logits(), outputs.features());
    if (handOff != null) {
      metrics.put("handoff", handOffEntry(evaluation, handOff, scores));
    }
    if (reportDetectors) {
      Map<String, Object> detection = new LinkedHashMap<>();
      detection.put("label", outOfScopeLabel);
      detection.put("chosen", handOff == null ? null : handOff.detector().id());
      detection.put("detectors", ConfidenceFitting.reportSaved(loaded, outputs.logits(), outputs.features(), evaluation.gold(),
          evaluation.predicted(), outOfScopeLabel));
      metrics.put("out_of_scope_detection", detection);
    }
    if (outOfScopeLabel != null) {
      metrics.put("out_of_scope", handOff == null ? evaluation.outOfScope(loaded.labels(), outOfScopeLabel, null)
          : evaluation.outOfScope(loaded.labels(), outOfScopeLabel, handOff, scores));
    }
    return evaluation;
  }

  /** The headline numbers on one line: {@code accuracy, macro_f1} or {@code mse, pearson, spearman}, and n. */
  static String summary(Evaluation evaluation) {
    StringBuilder line = new StringBuilder("eval:");
    if (evaluation.isRegression()) {
      RegressionMetrics m = evaluation.regression();
      line.append(String.format(Locale.ROOT, " mse %.4f pearson %.4f spearman %.4f", m.mse(), m.pearson(), m.spearman()));
    } else {
      ClassificationMetrics m = evaluation.classification();
      line.append(String.format(Locale.ROOT, " accuracy %.4f macro_f1 %.4f", m.accuracy(), m.macroF1()));
    }
    return line.append(" n ").append(evaluation.count()).toString();
  }

  /** Share answered automatically and the accuracy of those answers, at the threshold of the hand-off's detector. */
  private static Map<String, Object> handOffEntry(Evaluation evaluation, HandOff handOff, double[] scores) {
    int answered = 0;
    int right = 0;
    for (int i = 0; i < evaluation.count(); i++) {
      if (!handOff.handsOff(scores[i])) {
        answered++;
        right += evaluation.predicted()[i] == evaluation.gold()[i] ? 1 : 0;
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", handOff.handOffLabel());
    m.put("detector", handOff.detector().id());
    m.put("threshold", handOff.threshold());
    m.put("coverage", (double) answered / evaluation.count());
    m.put("precision", answered == 0 ? Double.NaN : (double) right / answered);
    return m;
  }
}
