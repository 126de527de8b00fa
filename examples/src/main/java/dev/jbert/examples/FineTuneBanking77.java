package dev.jbert.examples;

import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.datasets.Datasets;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.metrics.ClassificationMetrics;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.train.ConsoleProgress;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuneResult;
import dev.jbert.finetune.train.FineTuning;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Fine-tunes all-MiniLM-L6-v2 on Banking77 (77 banking intents) with the library API, then scores it
 * on the official test split.
 *
 * <pre>
 * java -cp ... dev.jbert.examples.FineTuneBanking77 [--epochs N] [--max-steps N] [--per-intent N] [--output DIR]
 * </pre>
 *
 * Defaults: the whole training set, 3 epochs (BERT's recipe). {@code --per-intent 10 --max-steps 50}
 * runs in about a minute on two cores; the full run takes tens of minutes.
 */
@Command(name = "FineTuneBanking77", description = "Fine-tunes all-MiniLM-L6-v2 on Banking77 and scores it on the test split.")
public final class FineTuneBanking77 implements Callable<Integer> {

  @Mixin RunOptions run;

  @Option(names = "--per-intent", defaultValue = "0", description = "Train on the first N messages of each intent (0: all).")
  int perIntent;

  @Option(names = "--output", defaultValue = "runs/banking77-minilm", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path output;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FineTuneBanking77()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Example> train = Datasets.banking77(run.shared.resolve("data")).train();
    List<Example> test = Datasets.banking77(run.shared.resolve("data")).test();
    if (perIntent > 0) {
      train = firstPerLabel(train, perIntent);
    }

    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT)
        .epochs(run.epochs)
        .maxSteps(run.maxSteps)
        .build(); // lr 5e-5, batch 32, warm-up 10%, weight decay 0.01, 10% held out for validation
    System.out.println("fine-tuning on " + train.size() + " Banking77 messages");
    FineTuneResult result = FineTuning.run(run.shared.resolve("models/all-MiniLM-L6-v2"), train, List.of(), output, config,
        ConsoleProgress.onStdout());
    System.out.printf("validation accuracy %.4f, macro-F1 %.4f%n", result.evaluation().classification().accuracy(),
        result.evaluation().classification().macroF1());

    try (FineTunedModel model = FineTunedModel.load(output)) {
      ClassificationMetrics metrics = Evaluator.of(model, 64).evaluate(test).classification();
      System.out.printf("test accuracy %.4f, macro-F1 %.4f on %d messages; model in %s%n", metrics.accuracy(),
          metrics.macroF1(), metrics.count(), output);
    }
    return 0;
  }

  /** The first {@code n} examples of every label, in file order. */
  static List<Example> firstPerLabel(List<Example> examples, int n) {
    Map<String, Integer> seen = new HashMap<>();
    List<Example> out = new ArrayList<>();
    for (Example e : examples) {
      if (seen.merge(e.label(), 1, Integer::sum) <= n) {
        out.add(e);
      }
    }
    return out;
  }
}
