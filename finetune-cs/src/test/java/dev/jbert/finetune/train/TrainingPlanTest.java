package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbert.finetune.model.Task;
import org.junit.jupiter.api.Test;

/** Step counts and warm-up as Hugging Face's Trainer computes them, and the defaults of the recipe. */
class TrainingPlanTest {

  @Test
  void defaultsAreBertsFineTuningRecipe() {
    FineTuneConfig c = FineTuneConfig.builder(Task.INTENT).build();
    assertEquals(5e-5, c.lr());
    assertEquals(32, c.batchSize());
    assertEquals(3, c.epochs());
    assertEquals(0.1, c.warmupRatio());
    assertEquals(0.01, c.weightDecay());
    assertEquals(1.0, c.maxGradNorm());
    assertEquals(42, c.seed());
    assertEquals(0.1, c.validationSplit());
    assertEquals("accuracy", c.metric());
    assertEquals("mse", FineTuneConfig.builder(Task.REGRESSION).build().metric());
  }

  @Test
  void epochsOfBatchesAndAccumulatedSteps() {
    // Banking77 train (10,003) at batch 32: 313 batches, the last of 11.
    FineTuneConfig c = FineTuneConfig.builder(Task.INTENT).build();
    assertEquals(new TrainingPlan(313, 313, 3, 939, 94), TrainingPlan.of(10_003, c));
    // Accumulating 4: 78 full windows and one of 1 per epoch.
    assertEquals(new TrainingPlan(313, 79, 3, 237, 24), TrainingPlan.of(10_003, c.toBuilder().gradAccum(4).build()));
  }

  @Test
  void maxStepsSizesTheScheduleAndTheEpochs() {
    FineTuneConfig c = FineTuneConfig.builder(Task.INTENT).batchSize(10).maxSteps(25).warmupSteps(3).build();
    assertEquals(new TrainingPlan(10, 10, 3, 25, 3), TrainingPlan.of(100, c));
  }

  @Test
  void invalidSettingsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FineTuneConfig.builder(Task.INTENT).warmupRatio(1.5).build());
    assertEquals("warmup ratio must be in [0, 1], got 1.5", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FineTuneConfig.builder(Task.REGRESSION).metric("accuracy").build());
    assertEquals("metric 'accuracy' is not one of [loss, mse, mae, pearson, spearman] for task regression", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FineTuneConfig.builder(Task.INTENT).rDrop(-1).build());
    assertEquals("R-Drop weight must be >= 0 (0 = off), got -1.0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FineTuneConfig.builder(Task.REGRESSION).rDrop(1).build());
    assertEquals("class weights, label smoothing, R-Drop, hand-off and out-of-scope settings need a classification task, not"
        + " regression", e.getMessage());
    assertEquals("1.0", FineTuneConfig.builder(Task.INTENT).rDrop(1).build().trajectory().get("r_drop"));
    assertEquals(null, FineTuneConfig.builder(Task.INTENT).build().trajectory().get("r_drop"), "absent when off: old checkpoints resume");
    FineTuneConfig longWarmup = FineTuneConfig.builder(Task.INTENT).warmupSteps(50).batchSize(10).build();
    assertThrows(IllegalArgumentException.class, () -> TrainingPlan.of(100, longWarmup));
  }

  @Test
  void balancedClassWeightsAsScikitLearn() {
    // sklearn.utils.class_weight.compute_class_weight("balanced", classes=[0,1,2], y=[0,0,0,0,1,1,2,2,2,2,2,2])
    // = 12 / (3 * [4, 2, 6]) = [1.0, 2.0, 0.6667]
    double[] w = ClassWeights.balanced(new int[] {0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2}, 3);
    assertArrayEquals(new double[] {1.0, 2.0, 2.0 / 3}, w, 1e-15);
    assertThrows(IllegalArgumentException.class, () -> ClassWeights.balanced(new int[] {0, 0}, 2));
  }
}
