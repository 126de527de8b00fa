package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.SharedData;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.DatasetSplits;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.datasets.Datasets;
import dev.jbert.finetune.model.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small real fine-tuning: all-MiniLM-L6-v2 on 200 Banking77 messages of 5 intents, scored on 100
 * messages of the official test split. Chance is 20%.
 */
class Banking77MiniLmTest {

  private static final Set<String> INTENTS =
      Set.of("card_arrival", "exchange_rate", "passcode_forgotten", "terminate_account", "top_up_failed");

  @TempDir Path tmp;

  @Test
  void accuracyRisesFarAboveChanceOnRealMessages() throws Exception {
    DatasetSplits banking = Datasets.banking77(SharedData.dataDir());
    List<Example> train = firstPerIntent(banking.train(), 40);
    List<Example> test = firstPerIntent(banking.test(), 20);
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(1e-4).epochs(2).batchSize(16).maxLength(48).build();
    long start = System.nanoTime();
    FineTuneResult r = FineTuning.run(SharedModels.model("all-MiniLM-L6-v2"), train, test, tmp.resolve("out"), config,
        TrainingListener.NONE);
    double seconds = (System.nanoTime() - start) / 1e9;
    double accuracy = r.evaluation().classification().accuracy();
    System.out.printf("Banking77 5 intents, MiniLM, %d steps: test accuracy %.3f in %.1f s%n", r.state().step(), accuracy, seconds);
    assertTrue(accuracy > 0.8, "accuracy " + accuracy + " (chance 0.2)");
  }

  private static List<Example> firstPerIntent(List<Example> examples, int n) {
    Map<String, Integer> seen = new HashMap<>();
    List<Example> out = new ArrayList<>();
    for (Example e : examples) {
      if (INTENTS.contains(e.label()) && seen.merge(e.label(), 1, Integer::sum) <= n) {
        out.add(e);
      }
    }
    return out;
  }
}
