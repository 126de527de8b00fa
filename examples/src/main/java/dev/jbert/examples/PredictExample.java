package dev.jbert.examples;

import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.predict.HandOff;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Answers a few customer messages with a fine-tuned model (e.g. the output of {@link
 * FineTuneBanking77}): the top three intents with their probabilities, and {@code transfer_to_agent}
 * when the model is less than 50% sure.
 *
 * <pre>
 * java -cp ... dev.jbert.examples.PredictExample [--model runs/banking77-minilm]
 * </pre>
 */
@Command(name = "PredictExample", description = "Answers a few customer messages with a fine-tuned model.")
public final class PredictExample implements Callable<Integer> {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--model", defaultValue = "runs/banking77-minilm", description = "Fine-tuned model folder (default: ${DEFAULT-VALUE}).")
  Path dir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new PredictExample()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<String> messages = List.of(
        "I still haven't received my new card, it's been two weeks",
        "Why was I charged twice for the same coffee?",
        "How do I change my PIN?",
        "what's the weather like tomorrow");
    try (FineTunedModel model = FineTunedModel.load(dir)) {
      Predictor predictor = new Predictor(model, 3, new HandOff(0.5, HandOff.TRANSFER_TO_AGENT), 32);
      List<Example> inputs = messages.stream().map(m -> new Example(m, null, List.of(), null, null, Path.of("messages"), 0)).toList();
      List<Prediction> predictions = predictor.classify(inputs);
      for (int i = 0; i < messages.size(); i++) {
        Prediction p = predictions.get(i);
        System.out.printf("%s%n  -> %s (%.2f)%n", messages.get(i), p.label(), p.confidence());
        p.topK().forEach(s -> System.out.printf("     %-32s %.3f%n", s.label(), s.probability()));
      }
    }
    return 0;
  }
}
