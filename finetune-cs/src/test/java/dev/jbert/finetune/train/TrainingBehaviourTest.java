package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.core.io.Safetensors;
import dev.jbert.core.io.TensorData;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.batch.BatchOrder;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.ood.ConfidenceConfig;
import dev.jbert.finetune.report.LogEntry;
import dev.jbert.finetune.report.TrainingLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options of a run: max steps, validation split, early stopping, freezing, dropout, tasks other than intent. */
class TrainingBehaviourTest {

  @TempDir Path tmp;

  private List<Example> train(int perIntent) {
    return SyntheticTickets.intents(perIntent, 11, tmp.resolve("train.csv"));
  }

  @Test
  void maxStepsStopsMidEpochAndSizesTheScheduleForItsSteps() throws Exception {
    // 160 examples, 10% held out per class: 144 to train, 9 batches of 16 per epoch.
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(1e-3).batchSize(16).maxSteps(13).loggingSteps(1).build();
    FineTuneResult r = FineTuning.run(SharedModels.tinyBert(), train(40), List.of(), tmp.resolve("out"), config, TrainingListener.NONE);
    assertEquals(13, r.state().step());
    assertEquals("reached max steps (13)", r.state().stopReason());
    assertEquals("validation", r.evaluatedOn());
    assertEquals(16, r.evaluation().count());
    List<LogEntry> log = TrainingLog.read(tmp.resolve("out").resolve(TrainingLog.FILE_NAME));
    List<LogEntry> steps = log.stream().filter(e -> e.loss() != null).toList();
    assertEquals(13, steps.size());
    // Hugging Face's linear schedule over max_steps = 13 with ⌈0.1·13⌉ = 2 warm-up steps: step t runs at factor(t − 1).
    assertEquals(0.0, steps.get(0).lr(), 0.0);
    assertEquals(1e-3 * 0.5, steps.get(1).lr(), 1e-15);
    assertEquals(1e-3, steps.get(2).lr(), 1e-15);
    assertEquals(1e-3 * 1 / 11, steps.get(12).lr(), 1e-15);
    // Evaluated after epoch 1 (step 9) and where max steps cut epoch 2 short.
    assertEquals(List.of(9L, 13L), log.stream().filter(e -> !e.eval().isEmpty()).map(LogEntry::step).toList());
  }

  @Test
  void earlyStoppingAfterPatienceEvaluationsWithoutImprovement() throws Exception {
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(0).epochs(5).batchSize(32).earlyStoppingPatience(2)
        .metric("loss").build();
    FineTuneResult r = FineTuning.run(SharedModels.tinyBert(), train(20), List.of(), tmp.resolve("out"), config, TrainingListener.NONE);
    // lr 0: the loss never improves on epoch 1's, so epochs 2 and 3 use up the patience.
    assertEquals(3 * 3, r.state().step());
    assertEquals(1, r.state().bestEpoch());
    assertTrue(r.state().stopReason().startsWith("early stopping"), r.state().stopReason());
  }

  /** Accuracy saturates on a small evaluation set while the loss keeps falling: the kept epoch is the lowest-loss one of the tie. */
  @Test
  void aTieOfTheMetricIsBrokenByTheEvaluationLoss() throws Exception {
    List<Example> eval = SyntheticTickets.intents(4, 12, tmp.resolve("eval.csv"));
    // no calibration: the result's loss is then the kept epoch's own (a fitted temperature would lower it)
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(1e-2).epochs(8).batchSize(16)
        .confidence(ConfidenceConfig.DEFAULT.withCalibrate(false)).build();
    FineTuneResult r = FineTuning.run(SharedModels.tinyBertLargeInit(), train(60), eval, tmp.resolve("out"), config,
        TrainingListener.NONE);
    List<LogEntry> evaluations = TrainingLog.read(tmp.resolve("out").resolve(TrainingLog.FILE_NAME)).stream()
        .filter(e -> !e.eval().isEmpty()).toList();
    assertEquals(8, evaluations.size());
    double bestAccuracy = evaluations.stream().mapToDouble(e -> e.eval().get("accuracy")).max().orElseThrow();
    List<LogEntry> tied = evaluations.stream().filter(e -> e.eval().get("accuracy") == bestAccuracy).toList();
    assertTrue(tied.size() >= 2 && tied.get(tied.size() - 1).eval().get("loss") < tied.get(0).eval().get("loss"),
        "the setup needs a tie of accuracy with a falling loss: " + evaluations);
    LogEntry expected = tied.stream().min(java.util.Comparator.comparingDouble(e -> e.eval().get("loss"))).orElseThrow();
    assertEquals(evaluations.indexOf(expected) + 1, r.state().bestEpoch(), "evaluations " + evaluations);
    assertEquals(expected.eval().get("loss"), r.evaluation().loss(), 0.0, "the kept model is that epoch's");
  }

  @Test
  void withoutValidationTheLastEpochIsKeptAndFrozenLayersStayBitIdentical() throws Exception {
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(1e-2).epochs(2).batchSize(16).validationSplit(0)
        .freezeLayers(2).dropout(0.2).classWeights(true).build();
    Path out = tmp.resolve("out");
    FineTuneResult r = FineTuning.run(SharedModels.tinyBert(), train(10), List.of(), out, config, TrainingListener.NONE);
    assertEquals("train", r.evaluatedOn());
    assertEquals(40, r.evaluation().count());
    assertEquals(2, r.state().bestEpoch());

    Map<String, TensorData> before = Safetensors.read(SharedModels.tinyBert().resolve("model.safetensors"));
    Map<String, TensorData> after = Safetensors.read(out.resolve("model.safetensors"));
    for (String name : List.of("bert.embeddings.word_embeddings.weight", "bert.encoder.layer.1.output.dense.weight")) {
      assertArrayEquals(before.get(name).data(), after.get(name).data(), name);
    }
    assertFalse(java.util.Arrays.equals(before.get("bert.pooler.dense.weight").data(), after.get("bert.pooler.dense.weight").data()));

    JsonNode json = Json.MAPPER.readTree(out.resolve("config.json").toFile());
    for (String key : List.of("hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout")) {
      assertEquals(0.2, json.get(key).asDouble(), 0.0, key);
    }
  }

  /** --classifier-pooling mean: the head reads the token mean, the (random) pooler is left alone, and the choice is saved. */
  @Test
  void aMeanPoolingHeadLearnsLeavesThePoolerAloneAndIsSaved() throws Exception {
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(1e-2).epochs(3).batchSize(16).validationSplit(0)
        .weightDecay(0).classifierPooling("mean").build();
    Path out = tmp.resolve("out");
    FineTuneResult r = FineTuning.run(SharedModels.tinyBert(), train(10), List.of(), out, config, TrainingListener.NONE);
    assertTrue(r.evaluation().classification().accuracy() > 0.5, "accuracy " + r.evaluation().classification().accuracy());
    assertEquals("mean", Json.MAPPER.readTree(out.resolve("config.json").toFile()).get("classifier_pooling").asText());
    Map<String, TensorData> before = Safetensors.read(SharedModels.tinyBert().resolve("model.safetensors"));
    Map<String, TensorData> after = Safetensors.read(out.resolve("model.safetensors"));
    assertArrayEquals(before.get("bert.pooler.dense.weight").data(), after.get("bert.pooler.dense.weight").data(),
        "the pooler is not on the head's path");
    assertFalse(java.util.Arrays.equals(before.get("classifier.weight").data(), after.get("classifier.weight").data()));
  }

  /**
   * R-Drop: without dropout the batch's two copies agree, the term is 0 and the run follows the plain
   * one (the same losses up to float rounding of the doubled batch); with dropout the term adds to
   * the loss and the model still learns.
   */
  @Test
  void rDropRunsEachBatchTwiceAndWithoutDropoutFollowsThePlainRun() throws Exception {
    List<Example> data = train(10);
    FineTuneConfig.Builder base = FineTuneConfig.builder(Task.INTENT).lr(1e-2).epochs(2).batchSize(16).validationSplit(0)
        .loggingSteps(1).classifierPooling("mean");
    FineTuning.run(SharedModels.tinyBert(), data, List.of(), tmp.resolve("plain"), base.dropout(0.0).build(), TrainingListener.NONE);
    FineTuning.run(SharedModels.tinyBert(), data, List.of(), tmp.resolve("twice"), base.dropout(0.0).rDrop(4.0).build(),
        TrainingListener.NONE);
    List<Double> plain = stepLosses(tmp.resolve("plain"));
    List<Double> twice = stepLosses(tmp.resolve("twice"));
    assertEquals(plain.size(), twice.size());
    for (int i = 0; i < plain.size(); i++) {
      assertEquals(plain.get(i), twice.get(i), 1e-4, "step " + (i + 1));
    }

    FineTuneResult withDropout = FineTuning.run(SharedModels.tinyBert(), data, List.of(), tmp.resolve("dropout"),
        base.dropout(0.1).rDrop(4.0).build(), TrainingListener.NONE);
    FineTuning.run(SharedModels.tinyBert(), data, List.of(), tmp.resolve("plain-dropout"), base.dropout(0.1).rDrop(0).build(),
        TrainingListener.NONE);
    assertNotEquals(stepLosses(tmp.resolve("plain-dropout")).get(0), stepLosses(tmp.resolve("dropout")).get(0));
    assertTrue(withDropout.evaluation().classification().accuracy() > 0.5,
        "accuracy " + withDropout.evaluation().classification().accuracy());
  }

  private static List<Double> stepLosses(Path out) throws Exception {
    return TrainingLog.read(out.resolve(TrainingLog.FILE_NAME)).stream().filter(e -> e.loss() != null).map(LogEntry::loss).toList();
  }

  @Test
  void labelsTheCheckpointAlreadyMapsKeepTheirIdsAndHead() throws Exception {
    // tiny-random-bert's head maps 0 greeting, 1 delivery, 2 refund: not sorted, and kept.
    Path source = tmp.resolve("train.csv");
    List<Example> train = new ArrayList<>();
    String[][] rows = {{"hello", "greeting"}, {"where is my package", "delivery"}, {"refund please", "refund"}, {"hi", "greeting"}};
    for (String[] row : rows) {
      train.add(Example.labelled(row[0], row[1], source, train.size() + 2));
    }
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(0).maxSteps(1).validationSplit(0).build();
    Path out = tmp.resolve("out");
    FineTuning.run(SharedModels.tinyBert(), train, List.of(), out, config, TrainingListener.NONE);
    JsonNode json = Json.MAPPER.readTree(out.resolve("config.json").toFile());
    assertEquals(Map.of("0", "greeting", "1", "delivery", "2", "refund"), Json.MAPPER.convertValue(json.get("id2label"), Map.class));
    Map<String, TensorData> before = Safetensors.read(SharedModels.tinyBert().resolve("model.safetensors"));
    Map<String, TensorData> after = Safetensors.read(out.resolve("model.safetensors"));
    assertArrayEquals(before.get("classifier.weight").data(), after.get("classifier.weight").data(), "the trained head was kept");
  }

  @Test
  void noShuffleKeepsFileOrder() {
    List<EncodedExample> examples = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      examples.add(EncodedExample.classification(new int[1 + i % 3], new int[1 + i % 3], 0));
    }
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).batchSize(4).shuffle(false).build();
    BatchOrder order = FineTuning.batchOrder(config, examples);
    for (int epoch = 0; epoch < 2; epoch++) {
      List<int[]> batches = order.epoch(epoch);
      assertArrayEquals(new int[] {0, 1, 2, 3}, batches.get(0)); // lines 2..5 of a file with a header line
      assertArrayEquals(new int[] {4, 5, 6, 7}, batches.get(1));
      assertArrayEquals(new int[] {8, 9}, batches.get(2));
    }
  }

  @Test
  void regressionLearnsAScore() throws Exception {
    Random random = new Random(4);
    List<Example> train = scored(200, random, tmp.resolve("train.csv"));
    List<Example> eval = scored(40, random, tmp.resolve("eval.csv"));
    FineTuneConfig config = FineTuneConfig.builder(Task.REGRESSION).lr(1e-2).epochs(15).batchSize(16).build();
    FineTuneResult r = FineTuning.run(SharedModels.tinyBertRegression(), train, eval, tmp.resolve("out"), config,
        TrainingListener.NONE);
    assertTrue(r.evaluation().isRegression());
    // Predicting the mean would give MSE 1.25 (the targets' variance) and no correlation.
    assertTrue(r.evaluation().regression().pearson() > 0.8, "pearson " + r.evaluation().regression());
    assertTrue(r.evaluation().regression().mse() < 0.5, "mse " + r.evaluation().regression());
  }

  /** A score by intent: account −1.5, card −0.5, delivery 0.5, refund 1.5. */
  static List<Example> scored(int n, Random random, Path source) {
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i % 4;
      out.add(Example.scored(SyntheticTickets.message(SyntheticTickets.INTENTS.get(k), random), k - 1.5, source, i + 2));
    }
    return out;
  }

  @Test
  void multiTurnContextIsReadFromSegmentA() throws Exception {
    // The current message says nothing ("yes please do it"); the intent is in the earlier turn.
    Random random = new Random(8);
    List<Example> train = contextual(240, random, tmp.resolve("train.jsonl"));
    List<Example> eval = contextual(80, random, tmp.resolve("eval.jsonl"));
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(1e-2).epochs(8).batchSize(16).build();
    FineTuneResult r = FineTuning.run(SharedModels.tinyBertLargeInit(), train, eval, tmp.resolve("out"), config,
        TrainingListener.NONE);
    assertTrue(r.evaluation().classification().accuracy() > 0.85, "accuracy " + r.evaluation().classification().accuracy());
    JsonNode json = Json.MAPPER.readTree(tmp.resolve("out").resolve("config.json").toFile());
    assertTrue(json.get("jbert").get("context_segment").asBoolean());
  }

  static List<Example> contextual(int n, Random random, Path source) {
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String intent = SyntheticTickets.INTENTS.get(i % 4);
      List<String> turns = List.of(SyntheticTickets.message(intent, random));
      out.add(new Example("yes please do it", null, turns, intent, null, source, i + 1));
    }
    return out;
  }

  @Test
  void pairTaskReadsBothSegments() throws Exception {
    // appropriate when the reply is about the message's intent; half the pairs are mismatched.
    Random random = new Random(9);
    List<Example> train = pairs(320, random, tmp.resolve("train.jsonl"));
    List<Example> eval = pairs(80, random, tmp.resolve("eval.jsonl"));
    FineTuneConfig config = FineTuneConfig.builder(Task.PAIR).lr(5e-3).epochs(8).batchSize(16).build();
    FineTuneResult r = FineTuning.run(SharedModels.tinyBertLargeInit(), train, eval, tmp.resolve("out"), config,
        TrainingListener.NONE);
    assertTrue(r.evaluation().classification().accuracy() > 0.9, "accuracy " + r.evaluation().classification().accuracy());
  }

  static List<Example> pairs(int n, Random random, Path source) {
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String intent = SyntheticTickets.INTENTS.get(i % 4);
      String replyIntent = i % 2 == 0 ? intent : SyntheticTickets.INTENTS.get((i % 4 + 1 + random.nextInt(3)) % 4);
      String label = intent.equals(replyIntent) ? "appropriate" : "inappropriate";
      out.add(new Example(SyntheticTickets.message(intent, random), SyntheticTickets.message(replyIntent, random), List.of(),
          label, null, source, i + 1));
    }
    return out;
  }
}
