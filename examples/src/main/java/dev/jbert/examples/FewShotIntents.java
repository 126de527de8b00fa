package dev.jbert.examples;

import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ExampleReader;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.fewshot.ContrastiveConfig;
import dev.jbert.finetune.fewshot.FewShotSampler;
import dev.jbert.finetune.fewshot.FewShotTraining;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.StopRequest;
import dev.jbert.finetune.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Few-shot intents, the README's "few-shot" snippet (the marked region below): 10 Banking77 messages
 * per intent, SetFit's contrastive stage and head, one classifier epoch, then an answer.
 *
 * <pre>
 * mvn -q -pl examples -am package -DskipTests -Pexample -Dexample.class=dev.jbert.examples.FewShotIntents -Dexample.args="--rounds 1 --per-intent 2"
 * </pre>
 *
 * Defaults: 10 per intent and SetFit's 20 rounds (30,800 pairs: hours on two busy cores; see the
 * README for measured figures). {@code --rounds 1 --per-intent 2} only checks the plumbing.
 */
@Command(name = "FewShotIntents", description = "Trains an intent classifier from a few examples per intent (SetFit recipe).")
public final class FewShotIntents implements Callable<Integer> {

  @Option(names = "--shared", defaultValue = "../shared", description = "Folder with models/ and data/ (default: ${DEFAULT-VALUE}).")
  Path shared;

  @Option(names = "--per-intent", defaultValue = "10", description = "Examples per intent (default: ${DEFAULT-VALUE}).")
  int perIntent;

  @Option(names = "--rounds", defaultValue = "20", description = "Contrastive rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--output", defaultValue = "runs/few-shot", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path output;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FewShotIntents()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path modelDir = shared.resolve("models/all-MiniLM-L6-v2");
    Path trainFile = shared.resolve("data/banking77/train.csv");
    int k = perIntent;
    // README:begin few-shot
    ReadOptions columns = ReadOptions.defaults().withLabelColumn("category");
    List<Example> train = FewShotSampler.sample(ExampleReader.read(trainFile, columns), k, 42);  // k per intent, seeded
    FineTuneConfig classifier = FineTuneConfig.builder(Task.INTENT)
        .epochs(1).lr(2e-5).validationSplit(0).maxLength(64).columns(columns).build();     // the classifier stage
    ContrastiveConfig contrastive = ContrastiveConfig.defaults(42).with(rounds, 16, 2e-5, 1); // SetFit's defaults
    FewShotTraining.run(modelDir, train, List.of(), output, classifier, contrastive, TrainingListener.NONE,
        System.out::println, new StopRequest());
    try (FineTunedModel model = FineTunedModel.load(output)) {                               // an ordinary model folder
      System.out.println(Predictor.of(model).classify("My card still hasn't arrived.").label());
    }
    // README:end
    return 0;
  }
}
