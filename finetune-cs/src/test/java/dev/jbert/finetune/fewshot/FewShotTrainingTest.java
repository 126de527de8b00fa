package dev.jbert.finetune.fewshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.core.config.BertConfig;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuneResult;
import dev.jbert.finetune.train.StopRequest;
import dev.jbert.finetune.train.SyntheticTickets;
import dev.jbert.finetune.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The few-shot recipe end to end on tiny-random-bert-large-init: 10 examples per intent of the
 * synthetic tickets (4 intents), contrastive stage, head, one classifier epoch; the folder is an
 * ordinary model folder that {@link FineTunedModel} and {@link Predictor} load.
 */
class FewShotTrainingTest {

  @TempDir static Path tmp;
  private static List<Example> eval;
  private static List<Example> train;
  private static FineTuneResult result;
  private static Path out;
  private static final List<String> stageLines = new ArrayList<>();

  @BeforeAll
  static void train() throws Exception {
    List<Example> all = SyntheticTickets.intents(40, 1, tmp.resolve("train.csv"));
    train = FewShotSampler.sample(all, 10, 42);
    eval = SyntheticTickets.intents(20, 2, tmp.resolve("eval.csv"));
    out = tmp.resolve("out");
    result = FewShotTraining.run(SharedModels.tinyBertLargeInit(), train, List.of(), out, tinyClassifier(),
        tinyContrastive(), TrainingListener.NONE, stageLines::add, new StopRequest());
  }

  /** The classifier stage of the tiny-model runs: one epoch, batches of 8, no validation split. */
  static FineTuneConfig tinyClassifier() {
    return FineTuneConfig.builder(Task.INTENT).lr(1e-3).epochs(1).batchSize(8).validationSplit(0).build();
  }

  /** The contrastive stage of the tiny-model runs: 20 rounds in batches of 8 pairs at lr 5e-3. */
  static ContrastiveConfig tinyContrastive() {
    return ContrastiveConfig.defaults(42).with(20, 8, 5e-3, 1);
  }

  @Test
  void theFolderIsAnOrdinaryModelWithTheNormalizedMeanHead() throws Exception {
    JsonNode config = Json.MAPPER.readTree(out.resolve("config.json").toFile());
    assertEquals(BertConfig.NORMALIZED_MEAN, config.get(BertConfig.CLASSIFIER_POOLING_KEY).asText());
    assertEquals("intent", config.get("jbert").get("task").asText());
    assertEquals(4, config.get("id2label").size());
    assertTrue(Files.isRegularFile(out.resolve("metrics.json")));
    assertTrue(Files.isRegularFile(out.resolve("vocab.txt")));
    assertFalse(Files.exists(tmp.resolve("out" + FewShotTraining.STAGE_SUFFIX)), "the folder between the stages is removed");
    assertEquals("train", result.evaluatedOn(), "no validation split: scored on the training examples");
    assertEquals(40 / 8, result.state().step(), "one classifier epoch of 40 examples in batches of 8");
  }

  @Test
  void theContrastiveStageRanAndLearnt() {
    // 20 rounds x 40 examples x 2 = 1600 pairs, 200 steps of 8; the loss falls from the first window to the last
    assertTrue(stageLines.get(0).startsWith("contrastive stage: 1600 pairs of 40 examples"), stageLines.get(0));
    List<Double> losses = stageLines.stream().filter(l -> l.startsWith("contrastive step"))
        .map(l -> Double.parseDouble(l.replaceAll(".* loss ([0-9.]+) .*", "$1"))).toList();
    assertEquals(10, losses.size(), stageLines.toString());   // every 20 steps
    assertTrue(losses.get(9) < 0.5 * losses.get(0), "loss " + losses);
  }

  @Test
  void theLoadedModelClassifiesUnseenTicketsFarAboveChance() throws Exception {
    try (FineTunedModel model = FineTunedModel.load(out)) {
      double accuracy = Evaluator.of(model, 16).evaluate(eval).classification().accuracy();
      // 0.725 when written (seeded); chance is 0.25
      assertTrue(accuracy > 0.6, "accuracy " + accuracy + " on 80 unseen tickets (chance 0.25) from 10 per intent");
      assertEquals(result.evaluation().classification().accuracy(),
          Evaluator.of(model, 16).evaluate(train).classification().accuracy(), 1e-12, "the saved model is the scored one");
      String label = Predictor.of(model).classify("my card was declined at the shop").label();
      assertTrue(SyntheticTickets.INTENTS.contains(label), label);
    }
  }

  @Test
  void refusesResumeOtherTasksAndAnotherPooling() {
    FineTuneConfig resume = FineTuneConfig.builder(Task.INTENT).resume(true).build();
    assertThrows(IllegalArgumentException.class, () -> FewShotTraining.run(SharedModels.tinyBertLargeInit(), eval, List.of(),
        tmp.resolve("r"), resume, ContrastiveConfig.defaults(1), TrainingListener.NONE, s -> {}, new StopRequest()));
    FineTuneConfig pair = FineTuneConfig.builder(Task.PAIR).build();
    assertThrows(IllegalArgumentException.class, () -> FewShotTraining.run(SharedModels.tinyBertLargeInit(), eval, List.of(),
        tmp.resolve("p"), pair, ContrastiveConfig.defaults(1), TrainingListener.NONE, s -> {}, new StopRequest()));
    FineTuneConfig pooler = FineTuneConfig.builder(Task.INTENT).classifierPooling("pooler").build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FewShotTraining.run(
        SharedModels.tinyBertLargeInit(), eval, List.of(), tmp.resolve("c"), pooler, ContrastiveConfig.defaults(1),
        TrainingListener.NONE, s -> {}, new StopRequest()));
    assertTrue(e.getMessage().contains("classifier pooling 'pooler'"), e.getMessage());
  }
}
