package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.report.ConfusionMatrixChart;
import dev.jbert.finetune.report.LearningCurveChart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run never mixes its files with an earlier run's, and never loses the earlier model before the new one is complete. */
class OutputFolderTest {

  @TempDir Path tmp;

  private final FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(1e-3).epochs(1).batchSize(16).build();

  private List<Example> train() {
    return SyntheticTickets.intents(10, 1, tmp.resolve("train.csv"));
  }

  private FineTuneResult run(Path out, FineTuneConfig c, TrainingListener listener) throws Exception {
    return FineTuning.run(SharedModels.tinyBert(), train(), List.of(), out, c, listener);
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** What an earlier run of a larger model leaves: its tokenizer.json (30,522 tokens, [CLS] = 101) and reports. */
  private Path oldRunFolder() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.copy(SharedModels.model("all-MiniLM-L6-v2").resolve("tokenizer.json"), out.resolve("tokenizer.json"));
    Files.writeString(out.resolve("metrics.json"), "{\"split\": \"old\"}");
    Files.writeString(out.resolve(ConfusionMatrixChart.FILE_NAME), "old chart");
    return out;
  }

  @Test
  void aFolderThatHoldsFilesIsRefusedWithoutOverwrite() throws Exception {
    Path out = oldRunFolder();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(out, config, TrainingListener.NONE));
    assertEquals("the output folder " + out + " already holds confusion_matrix.png, metrics.json, tokenizer.json: pass"
        + " --overwrite to replace it (the old folder stays whole until the new model is complete), --resume to continue its"
        + " run, or choose an empty folder", e.getMessage());
    assertEquals(List.of("confusion_matrix.png", "metrics.json", "tokenizer.json"), names(out));
    assertFalse(Files.exists(tmp.resolve("out.partial")));
  }

  /** The case: the new model beside the old tokenizer.json failed on its first input (id 101 outside 99). */
  @Test
  void overwriteReplacesTheWholeFolder() throws Exception {
    Path out = oldRunFolder();
    FineTuneResult r = run(out, config.toBuilder().overwrite(true).build(), TrainingListener.NONE);
    assertEquals(out, r.outputDir());
    assertFalse(Files.exists(out.resolve("tokenizer.json")), "the old run's tokenizer is gone");
    assertEquals("validation", Json.MAPPER.readTree(out.resolve("metrics.json").toFile()).get("split").asText());
    assertTrue(Files.size(out.resolve(ConfusionMatrixChart.FILE_NAME)) > 1000);
    assertEquals(List.of("out"), names(tmp), "no working folder or old folder left beside it");
    try (FineTunedModel model = FineTunedModel.load(out)) {
      assertEquals(40, Evaluator.of(model, 8).evaluate(train()).count());
    }
  }

  @Test
  void theOldFolderStaysWholeUntilTheNewRunIsComplete() throws Exception {
    Path out = tmp.resolve("out");
    run(out, config, TrainingListener.NONE);
    byte[] weights = Files.readAllBytes(out.resolve("model.safetensors"));
    List<String> files = names(out);

    FineTuneConfig next = config.toBuilder().overwrite(true).lr(5e-3).epochs(2).build();
    assertThrows(IllegalStateException.class, () -> run(out, next, new TrainingListener() {
      @Override
      public void onStep(StepProgress p) {
        if (p.step() == 4) {
          throw new IllegalStateException("crash in the second run");
        }
      }
    }));
    assertArrayEquals(weights, Files.readAllBytes(out.resolve("model.safetensors")), "the old model is untouched");
    assertEquals(files, names(out));
    try (FineTunedModel model = FineTunedModel.load(out)) {
      assertEquals(4, model.labels().size());
    }

    // The failed run's work waits in out.partial: a new run must say whether to resume it or start over.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> run(out, config.toBuilder().lr(5e-3).epochs(2).build(), TrainingListener.NONE));
    assertTrue(e.getMessage().startsWith(tmp.resolve("out.partial") + " holds an interrupted run (checkpoint after step 3"),
        e.getMessage());
    FineTuneResult resumed = run(out, next.toBuilder().overwrite(false).resume(true).build(), TrainingListener.NONE);
    assertEquals(6, resumed.state().step());
    assertFalse(Arrays.equals(weights, Files.readAllBytes(out.resolve("model.safetensors"))));
    assertEquals(List.of("out"), names(tmp));
  }

  @Test
  void overwriteRefusesAFolderThatHoldsItsDataOrTheWorkingDirectory() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("out"));
    List<Example> inside = SyntheticTickets.intents(10, 1, out.resolve("train.csv"));
    SyntheticTickets.writeCsv(out.resolve("train.csv"), inside);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuning.run(SharedModels.tinyBert(),
        inside, List.of(), out, config.toBuilder().overwrite(true).build(), TrainingListener.NONE));
    assertEquals("will not overwrite " + out + ": it holds the data file " + out.resolve("train.csv"), e.getMessage());
    assertTrue(Files.exists(out.resolve("train.csv")));

    // (checked without a run: a run that got past the check would replace the folder around the working directory)
    Path cwd = Files.createDirectories(out.resolve("sub"));
    IllegalArgumentException here = assertThrows(IllegalArgumentException.class,
        () -> OutputFolder.of(out).checkStart(config.toBuilder().overwrite(true).build(), SharedModels.tinyBert(), List.of(), cwd));
    assertEquals("will not overwrite " + out + ": it holds the working directory " + cwd, here.getMessage());

    Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
    IllegalArgumentException notAFolder = assertThrows(IllegalArgumentException.class,
        () -> run(file, config.toBuilder().overwrite(true).build(), TrainingListener.NONE));
    assertEquals(file + " is a file, not a folder; choose another output folder", notAFolder.getMessage());
    assertEquals("mine", Files.readString(file));
  }

  @Test
  void theFinalEvaluationCanBeSkipped() throws Exception {
    Path out = tmp.resolve("out");
    FineTuneResult r = run(out, config.toBuilder().validationSplit(0).loggingSteps(1).finalEvaluation(false).build(),
        TrainingListener.NONE);
    assertNull(r.evaluation());
    assertEquals("none", r.evaluatedOn());
    assertEquals("completed 1 epoch", r.state().stopReason());
    JsonNode metrics = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
    assertEquals("none", metrics.get("split").asText());
    assertFalse(metrics.has("classification"));
    assertEquals(3, metrics.get("training").get("steps").asInt());
    assertFalse(Files.exists(out.resolve(ConfusionMatrixChart.FILE_NAME)));
    assertTrue(Files.exists(out.resolve(LearningCurveChart.FILE_NAME)));
    assertThrows(IllegalArgumentException.class, () -> config.toBuilder().finalEvaluation(false).handOffPrecision(0.9).build());
  }

  /** Fine-tuning further from a model inside the folder being replaced would delete that model at the end. */
  @Test
  void theModelFolderMayNotBeInsideTheRunsFolder() throws Exception {
    Path out = tmp.resolve("out");
    run(out, config, TrainingListener.NONE);
    Path inside = out.resolve(CheckpointStore.DIR_NAME);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuning.run(inside, train(), List.of(), out,
        config.toBuilder().overwrite(true).build(), TrainingListener.NONE));
    assertEquals("the model folder " + inside + " is inside the run's folder " + out + ", which the run replaces; fine-tune"
        + " into another folder", e.getMessage());
    IllegalArgumentException same = assertThrows(IllegalArgumentException.class, () -> FineTuning.run(out, train(), List.of(), out,
        config.toBuilder().overwrite(true).build(), TrainingListener.NONE));
    assertEquals("the model folder " + out + " is the run's folder " + out + ", which the run replaces; fine-tune into another"
        + " folder", same.getMessage());
    assertTrue(Files.isRegularFile(inside.resolve(CheckpointStore.STATE_FILE)));
  }

  /**
   * Resume without a working folder: a finished run is reported again as it was; a run an earlier
   * version trained in place (its checkpoint in OUTPUT/checkpoint, unfinished) continues.
   */
  @Test
  void resumeFromTheOutputFolderItself() throws Exception {
    Path out = tmp.resolve("out");
    FineTuneConfig twoEpochs = config.toBuilder().epochs(2).build();
    FineTuneResult done = run(out, twoEpochs, TrainingListener.NONE);
    byte[] weights = Files.readAllBytes(out.resolve("model.safetensors"));
    FineTuneResult again = run(out, twoEpochs.toBuilder().resume(true).build(), TrainingListener.NONE);
    assertEquals(done.state(), again.state());
    assertArrayEquals(weights, Files.readAllBytes(out.resolve("model.safetensors")));

    Path inPlace = tmp.resolve("in-place");
    assertThrows(IllegalStateException.class, () -> run(inPlace, twoEpochs, new TrainingListener() {
      @Override
      public void onStep(StepProgress p) {
        if (p.step() == 4) {
          throw new IllegalStateException("killed");
        }
      }
    }));
    Files.move(OutputFolder.of(inPlace).work(), inPlace); // the layout before OUTPUT.partial
    FineTuneResult resumed = run(inPlace, twoEpochs.toBuilder().resume(true).build(), TrainingListener.NONE);
    assertEquals(done.state(), resumed.state());
    assertArrayEquals(weights, Files.readAllBytes(inPlace.resolve("model.safetensors")));
    assertFalse(Files.exists(OutputFolder.of(inPlace).work()));
  }
}
