package dev.jbert.cli;

import dev.jbert.core.io.HubResolver;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert eval}: scores a fine-tuned model on a labelled file and prints the metrics as JSON on
 * stdout (the layout of {@code metrics.json}). A label the model does not know exits with code 2,
 * naming file and line.
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
    try (FineTunedModel loaded = FineTunedModel.load(HubResolver.fromEnvironment().resolve(model))) {
      if (loaded.settings().contextSegment() && columns.context == null) {
        // without it every example would lose its earlier turns and be scored on another input than trained on
        throw new IllegalArgumentException("this model was trained with earlier turns in segment A: pass "
            + "--context-column NAME, the column of earlier turns in " + data);
      }
      List<Example> examples = DataColumns.read(data, columns.readOptions(loaded.settings().task()));
      Evaluation evaluation;
      try {
        evaluation = Evaluator.of(loaded, batchSize).evaluate(examples);
      } catch (DataFileException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      HandOff handOff = PredictCommand.handOff(loaded, threshold, handOffLabel);
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
        if (evaluation.isRegression()) {
          throw new IllegalArgumentException("--oos-label needs a classification model");
        }
        metrics.put("out_of_scope", evaluation.outOfScope(loaded.labels(), outOfScopeLabel, handOff));
      }
      spec.commandLine().getOut().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(metrics));
      spec.commandLine().getOut().flush();
    }
    return 0;
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
