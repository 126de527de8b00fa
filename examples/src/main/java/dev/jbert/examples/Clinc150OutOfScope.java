package dev.jbert.examples;

import dev.jbert.finetune.data.DatasetSplits;
import dev.jbert.finetune.datasets.Clinc150;
import dev.jbert.finetune.datasets.Datasets;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.metrics.OutOfScopeMetrics;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.train.ConsoleProgress;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuneResult;
import dev.jbert.finetune.train.FineTuning;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * CLINC150 with out-of-scope detection (Larson et al. 2019): fine-tunes all-MiniLM-L6-v2 on the 150
 * intents plus {@code oos}, picks the hand-off threshold on the validation split for a target
 * precision of automatic answers, then reports on the test split the in-scope accuracy and the
 * out-of-scope recall, where a hand-off counts as "out of scope".
 *
 * <pre>
 * java -cp ... dev.jbert.examples.Clinc150OutOfScope [--epochs N] [--max-steps N] [--lr X] [--precision P] [--output DIR]
 * </pre>
 */
@Command(name = "Clinc150OutOfScope", description = "CLINC150 with out-of-scope detection: fine-tune, pick the hand-off threshold, report on the test split.")
public final class Clinc150OutOfScope implements Callable<Integer> {

  @Mixin RunOptions run;

  @Option(names = "--lr", defaultValue = "5e-5", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--precision", defaultValue = "0.95",
      description = "Target precision of automatic answers on the validation split (default: ${DEFAULT-VALUE}).")
  double precision;

  @Option(names = "--output", defaultValue = "runs/clinc150-minilm", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path output;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Clinc150OutOfScope()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    DatasetSplits clinc = Datasets.clinc150(run.shared.resolve("data"), true);

    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT)
        .epochs(run.epochs)
        .maxSteps(run.maxSteps)
        .lr(lr)
        .handOffPrecision(precision)
        .outOfScopeLabel(Clinc150.OUT_OF_SCOPE)
        .build();
    FineTuneResult result = FineTuning.run(run.shared.resolve("models/all-MiniLM-L6-v2"), clinc.train(), clinc.validation(), output,
        config, ConsoleProgress.onStdout());
    System.out.printf("hand-off threshold %.4f (validation: precision %.4f, %.1f%% answered automatically)%n",
        result.handOff().threshold(), result.handOff().precision(), 100 * result.handOff().coverage());

    try (FineTunedModel model = FineTunedModel.load(output)) {
      Evaluation test = Evaluator.of(model, 64).evaluate(clinc.test());
      OutOfScopeMetrics withoutHandOff = test.outOfScope(model.labels(), Clinc150.OUT_OF_SCOPE, null);
      OutOfScopeMetrics withHandOff = test.outOfScope(model.labels(), Clinc150.OUT_OF_SCOPE, model.settings().handOff());
      System.out.printf("test: accuracy %.4f over all %d queries%n", test.classification().accuracy(), test.count());
      System.out.printf("  oos as a class:          in-scope accuracy %.4f, out-of-scope recall %.4f%n",
          withoutHandOff.inScopeAccuracy(), withoutHandOff.outOfScopeRecall());
      System.out.printf("  plus the hand-off:       in-scope accuracy %.4f, out-of-scope recall %.4f%n",
          withHandOff.inScopeAccuracy(), withHandOff.outOfScopeRecall());
    }
    return 0;
  }
}
