package example;

import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.embed.SentenceEmbedder;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.train.ConsoleProgress;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuneResult;
import dev.jbert.finetune.train.FineTuning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a user of the library does first: embed a sentence (tokenizer + encoder forward), then a short
 * fine-tuning run that writes the model, metrics and charts. Args: MODEL_DIR OUTPUT_DIR.
 */
public final class LibraryUser {

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    Path output = Path.of(args[1]);

    try (SentenceEmbedder embedder = SentenceEmbedder.load(model)) {
      float[] embedding = embedder.embed("My card still hasn't arrived.");
      System.out.println("library-user: embedding of " + embedding.length + " floats, first " + embedding[0]);
    }

    List<Example> train = new ArrayList<>();
    String[][] rows = {
        {"my card has not arrived", "card"}, {"where is my new card", "card"}, {"card still missing", "card"},
        {"the card never came", "card"}, {"i want my money back", "refund"}, {"please refund me", "refund"},
        {"how do i get a refund", "refund"}, {"refund my last payment", "refund"}};
    for (int i = 0; i < rows.length; i++) {
      train.add(Example.labelled(rows[i][0], rows[i][1], Path.of("inline"), i + 1));
    }
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).epochs(1).batchSize(4).build();
    FineTuneResult result = FineTuning.run(model, train, train, output, config, ConsoleProgress.onStdout());
    for (String file : List.of("config.json", "model.safetensors", "metrics.json", "learning_curve.png", "confusion_matrix.png")) {
      if (!Files.isRegularFile(output.resolve(file))) {
        throw new IllegalStateException("fine-tuning wrote no " + file);
      }
    }
    System.out.println("library-user: fine-tuned " + result.state().step() + " steps, accuracy "
        + result.evaluation().classification().accuracy() + ", charts written");
  }
}
