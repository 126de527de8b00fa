package dev.jbert.cli;

import dev.jbert.core.io.HubResolver;
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
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
      description = "Hand-off confidence threshold (default: the one saved with the model, if any).")
  Double threshold;

  @Option(names = "--handoff-label", paramLabel = "LABEL", description = "Hand-off answer (default: the model's, else transfer_to_agent).")
  String handOffLabel;

  @Option(names = "--oos-label", paramLabel = "LABEL",
      description = "Label of out-of-scope messages (e.g. oos): report in-scope accuracy and out-of-scope recall.")
  String outOfScopeLabel;

  @Override
  public Integer call() throws IOException {
    try (FineTunedModel loaded = FineTunedModel.load(HubResolver.fromEnvironment(new TerminalDownloads()).resolve(model))) {
      boolean regression = loaded.settings().task().isRegression();
      if (regression && (threshold != null || handOffLabel != null || outOfScopeLabel != null)) {
        throw new IllegalArgumentException("--threshold, --handoff-label and --oos-label apply to labels; "
            + "this regression model gives one score per message");
      }
      ReadOptions options = columns.readOptions(loaded.settings().task(), loaded.settings().columns());
      if (loaded.settings().contextSegment() && options.contextColumn() == null) {
        // without it every example would lose its earlier turns and be scored on another input than trained on
        throw new IllegalArgumentException("this model was trained with earlier turns in segment A: pass "
            + "--context-column NAME, the column of earlier turns in " + data);
      }
      HandOff handOff = PredictCommand.handOff(loaded, threshold, handOffLabel);
      List<Example> examples = columns.read(data, options);
      Evaluation evaluation;
      try {
        evaluation = Evaluator.of(loaded, batchSize).evaluate(examples);
      } catch (DataFileException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("data", data.toString());
      metrics.put("examples", evaluation.count());
      metrics.put("loss", evaluation.loss());
      metrics.put(evaluation.isRegression() ? "regression" : "classification",
          evaluation.isRegression() ? evaluation.regression() : evaluation.classification());
      if (handOff != null && !evaluation.isRegression()) {
        metrics.put("handoff", handOffEntry(evaluation, handOff));
      }
      if (outOfScopeLabel != null) {
        metrics.put("out_of_scope", evaluation.outOfScope(loaded.labels(), outOfScopeLabel, handOff));
      }
      spec.commandLine().getOut().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(metrics));
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().println(summary(evaluation));
      spec.commandLine().getErr().flush();
    }
    return 0;
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

  /** Share answered automatically and the accuracy of those answers, at the threshold. */
  private static Map<String, Object> handOffEntry(Evaluation evaluation, HandOff handOff) {
    int answered = 0;
    int right = 0;
    for (int i = 0; i < evaluation.count(); i++) {
      if (evaluation.confidence()[i] >= handOff.threshold()) {
        answered++;
        right += evaluation.predicted()[i] == evaluation.gold()[i] ? 1 : 0;
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", handOff.handOffLabel());
    m.put("threshold", handOff.threshold());
    m.put("coverage", (double) answered / evaluation.count());
    m.put("precision", answered == 0 ? Double.NaN : (double) right / answered);
    return m;
  }
}
