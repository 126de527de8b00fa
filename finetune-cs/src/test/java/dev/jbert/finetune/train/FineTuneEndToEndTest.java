package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.model.Task;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small fine-tuning of tiny-random-bert on synthetic tickets, end to end. */
class FineTuneEndToEndTest {

  @TempDir Path tmp;

  @Test
  void accuracyRisesFarAboveChance() throws Exception {
    List<Example> train = SyntheticTickets.intents(60, 1, tmp.resolve("train.csv"));
    List<Example> eval = SyntheticTickets.intents(20, 2, tmp.resolve("eval.csv"));
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(3e-3).epochs(8).batchSize(16).build();
    long t0 = System.nanoTime();
    FineTuneResult result = FineTuning.run(SharedModels.tinyBert(), train, eval, tmp.resolve("out"), config,
        new ConsoleProgress(new java.io.PrintWriter(System.out, true), false));
    System.out.println("seconds " + (System.nanoTime() - t0) / 1e9 + " accuracy " + result.evaluation().classification().accuracy());
    assertTrue(result.evaluation().classification().accuracy() > 0.9);
  }
}
