package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.report.LogEntry;
import dev.jbert.finetune.report.TrainingLog;
import dev.jbert.optim.OptimizerStateFile;
import dev.jbert.optim.WeightAverage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run stopped mid-way and resumed from its checkpoint ends with exactly the parameters, optimizer
 * state and log of a run that was never stopped, dropout on.
 */
class ResumeTest {

  @TempDir Path tmp;

  /** Stops the run after a given step, as a kill would (nothing after the last checkpoint survives on disk). */
  private static final class Killed extends RuntimeException {
    Killed() {
      super("killed");
    }
  }

  /** Steps the last run started after, and how many it took. */
  private long startedAfter;
  private long stepsTaken;

  private FineTuneResult run(Path out, FineTuneConfig config, long killAfter) throws Exception {
    startedAfter = -1;
    stepsTaken = 0;
    List<Example> train = SyntheticTickets.intents(40, 5, tmp.resolve("train.csv"));
    List<Example> eval = SyntheticTickets.intents(5, 6, tmp.resolve("eval.csv"));
    return FineTuning.run(SharedModels.tinyBert(), train, eval, out, config, new TrainingListener() {
      @Override
      public void onStart(TrainingPlan plan, long startStep) {
        startedAfter = startStep;
      }

      @Override
      public void onStep(StepProgress p) {
        stepsTaken++;
        if (p.step() == killAfter) {
          throw new Killed();
        }
      }
    });
  }

  /** Asks for a stop when step {@code stopAt} is done, as jbert train's Ctrl-C hook does from another thread. */
  private FineTuneResult runStoppingAt(Path out, FineTuneConfig config, long stopAt) throws Exception {
    StopRequest stop = new StopRequest();
    List<Example> train = SyntheticTickets.intents(40, 5, tmp.resolve("train.csv"));
    List<Example> eval = SyntheticTickets.intents(5, 6, tmp.resolve("eval.csv"));
    return FineTuning.run(SharedModels.tinyBert(), train, eval, out, config, new TrainingListener() {
      @Override
      public void onStep(StepProgress p) {
        if (p.step() == stopAt) {
          stop.request();
        }
      }
    }, stop);
  }

  /** Also with a weight average: it is checkpointed and continued exactly, and the kept model is the averaged one. */
  @ParameterizedTest
  @ValueSource(doubles = {0, 0.9})
  void aStopRequestEndsAfterTheStepWithACheckpointThatResumesExactly(double emaDecay) throws Exception {
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(3e-3).epochs(3).batchSize(16).loggingSteps(2)
        .gradAccum(2).emaDecay(emaDecay).build();
    Path straight = tmp.resolve("straight");
    FineTuneResult expected = run(straight, config, -1);

    Path stopped = tmp.resolve("stopped");
    TrainingStoppedException e = assertThrows(TrainingStoppedException.class, () -> runStoppingAt(stopped, config, 7));
    Path checkpoint = OutputFolder.of(stopped).work().resolve(CheckpointStore.DIR_NAME);
    assertEquals(7, e.step());
    assertEquals(checkpoint, e.checkpoint());
    TrainerState saved = CheckpointStore.readState(checkpoint);
    assertEquals(7, saved.step(), "a checkpoint right after the step the stop came in, mid-epoch");
    assertFalse(saved.finished());
    assertFalse(Files.exists(stopped), "nothing published: the output folder appears when the run is complete");

    FineTuneResult resumed = run(stopped, config.toBuilder().resume(true).build(), -1);
    assertEquals(7, startedAfter);
    assertEquals(expected.state(), resumed.state());
    List<String> files = new java.util.ArrayList<>(List.of("checkpoint/model.safetensors",
        "checkpoint/" + OptimizerStateFile.FILE_NAME, "model.safetensors", "metrics.json"));
    if (emaDecay > 0) {
      files.add("checkpoint/" + WeightAverage.FILE_NAME);
      // the kept model is the average, not the last live weights
      assertFalse(java.util.Arrays.equals(Files.readAllBytes(straight.resolve("checkpoint/model.safetensors")),
          Files.readAllBytes(straight.resolve("model.safetensors"))));
    } else {
      assertFalse(Files.exists(straight.resolve("checkpoint/" + WeightAverage.FILE_NAME)));
    }
    for (String file : files) {
      assertArrayEquals(Files.readAllBytes(straight.resolve(file)), Files.readAllBytes(stopped.resolve(file)), file);
    }
  }

  @Test
  void aStopBeforeTheFirstStepLeavesNothingToResume() throws Exception {
    StopRequest stop = new StopRequest();
    stop.request();
    List<Example> train = SyntheticTickets.intents(10, 5, tmp.resolve("train.csv"));
    TrainingStoppedException e = assertThrows(TrainingStoppedException.class, () -> FineTuning.run(SharedModels.tinyBert(),
        train, List.of(), tmp.resolve("out"), FineTuneConfig.builder(Task.INTENT).build(), TrainingListener.NONE, stop));
    assertEquals(0, e.step());
    assertNull(e.checkpoint());
  }

  /** Besides epoch ends, a checkpoint once saveInterval has passed (here: after every step); the default is 5 minutes. */
  @Test
  void checkpointsByTime() throws Exception {
    assertEquals(Duration.ofMinutes(5), FineTuneConfig.builder(Task.INTENT).build().saveInterval());
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(3e-3).epochs(3).batchSize(16)
        .saveInterval(Duration.ofNanos(1)).build();
    Path killed = tmp.resolve("killed");
    assertThrows(Killed.class, () -> run(killed, config, 5));
    assertEquals(4, CheckpointStore.readState(OutputFolder.of(killed).work().resolve(CheckpointStore.DIR_NAME)).step());
  }

  @ParameterizedTest(name = "grad accumulation {0}, checkpoint every {1} steps, killed after step {2}")
  @CsvSource({"1, 0, 15", "2, 3, 7", "3, 2, 7"})   // 10 batches an epoch: with 3, each epoch ends on a window of 1
  void resumedRunEqualsUninterruptedRun(int gradAccum, int saveSteps, long killAfter) throws Exception {
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(3e-3).epochs(3).batchSize(16).loggingSteps(2)
        .gradAccum(gradAccum).saveSteps(saveSteps).build();
    Path straight = tmp.resolve("straight");
    FineTuneResult expected = run(straight, config, -1);
    int examples = SyntheticTickets.intents(40, 5, tmp.resolve("train.csv")).size();
    assertEquals(TrainingPlan.of(examples, config).totalSteps(), expected.state().step(),
        "one step per window of gradAccum batches, and one for each epoch's shorter last window");

    Path stopped = tmp.resolve("stopped");
    assertThrows(Killed.class, () -> run(stopped, config, killAfter));
    TrainerState saved = CheckpointStore.readState(OutputFolder.of(stopped).work().resolve(CheckpointStore.DIR_NAME));
    assertTrue(saved.step() < killAfter && saved.step() > 0, "checkpoint at step " + saved.step());
    FineTuneResult resumed = run(stopped, config.toBuilder().resume(true).build(), -1);
    assertEquals(saved.step(), startedAfter, "the resumed run continues after the checkpoint's step");
    assertEquals(expected.state().step() - saved.step(), stepsTaken);

    assertEquals(expected.state(), resumed.state());
    for (String file : List.of("checkpoint/model.safetensors", "checkpoint/" + OptimizerStateFile.FILE_NAME, "model.safetensors")) {
      assertArrayEquals(Files.readAllBytes(straight.resolve(file)), Files.readAllBytes(stopped.resolve(file)), file);
    }
    List<LogEntry> a = TrainingLog.read(straight.resolve(TrainingLog.FILE_NAME));
    List<LogEntry> b = TrainingLog.read(stopped.resolve(TrainingLog.FILE_NAME));
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).step(), b.get(i).step());
      assertEquals(a.get(i).loss(), b.get(i).loss(), "training loss at log entry " + i);
      assertEquals(a.get(i).eval(), b.get(i).eval());
    }
    assertEquals(expected.evaluation().loss(), resumed.evaluation().loss(), 0.0);
  }
}
