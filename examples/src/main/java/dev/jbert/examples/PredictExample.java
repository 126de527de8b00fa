package dev.jbert.examples;

import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Answers a few customer messages with a fine-tuned model (e.g. the output of the README's
 * quick start, {@code runs/banking77}): the top three intents with their probabilities, and {@code transfer_to_agent}
 * when the model is less than 50% sure.
 *
 * <pre>
 * java -cp ... dev.jbert.examples.PredictExample [--model runs/banking77]
 * </pre>
 */
@Command(name = "PredictExample", description = "Answers a few customer messages with a fine-tuned model.")
public final class PredictExample implements Callable<Integer> {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--model", defaultValue = "runs/banking77", description = "Fine-tuned model folder (default: ${DEFAULT-VALUE}).")
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
      Predictor predictor = Predictor.of(model).withTopK(3).withHandOff(new HandOff(0.5, HandOff.TRANSFER_TO_AGENT));
      List<Prediction> predictions = predictor.classifyAll(messages);
      for (int i = 0; i < messages.size(); i++) {
        Prediction p = predictions.get(i);
        System.out.printf("%s%n  -> %s (%.2f)%n", messages.get(i), p.label(), p.score());
        p.topK().forEach(s -> System.out.printf("     %-32s %.3f%n", s.label(), s.score()));
      }
    }
    return 0;
  }
}
