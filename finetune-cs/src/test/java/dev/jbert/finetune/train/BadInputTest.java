package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.jbert.core.io.Safetensors;
import dev.jbert.core.io.TensorData;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ExampleReader;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.metrics.MetricsFile;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.report.TrainingLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad data and bad states stop a run with a message naming file and line (or step), before damage is done. */
class BadInputTest {

  @TempDir Path tmp;

  private final FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).lr(1e-3).epochs(1).batchSize(16).build();

  private Path out() {
    return tmp.resolve("out");
  }

  @Test
  void unseenLabelInTheEvaluationFileStopsBeforeTraining() throws Exception {
    List<Example> train = SyntheticTickets.intents(10, 1, tmp.resolve("train.csv"));
    Path evalFile = tmp.resolve("eval.csv");
    Files.writeString(evalFile, "text,label\nmy card was stolen,card\nwhere is my package,shipping\n");
    List<Example> eval = ExampleReader.read(evalFile, ReadOptions.defaults());
    DataFileException e = assertThrows(DataFileException.class,
        () -> FineTuning.run(SharedModels.tinyBert(), train, eval, out(), config, TrainingListener.NONE));
    assertEquals(evalFile + ":3: label 'shipping' is not one of the model's 4 labels: " + String.join(", ", SyntheticTickets.INTENTS),
        e.getMessage());
    assertFalse(Files.exists(out().resolve(TrainingLog.FILE_NAME)), "nothing was trained");
  }

  @Test
  void badFilesNameFileAndLine() throws Exception {
    Path empty = tmp.resolve("empty.csv");
    Files.writeString(empty, "");
    Path noColumn = tmp.resolve("columns.csv");
    Files.writeString(noColumn, "message,label\nhello,greeting\n");
    Path badRow = tmp.resolve("rows.csv");
    Files.writeString(badRow, "text,label\nhello,greeting\nwhere is my card,card,extra\n");
    Path badJson = tmp.resolve("rows.jsonl");
    Files.writeString(badJson, "{\"text\": \"hi\", \"label\": \"greeting\"}\n{\"text\": \"oops\"\n");
    for (Path file : List.of(empty, noColumn, badRow, badJson)) {
      DataFileException e = assertThrows(DataFileException.class, () -> ExampleReader.read(file, ReadOptions.defaults()));
      assertTrue(e.getMessage().startsWith(file + ":"), e.getMessage());
      assertTrue(e.line() >= 1, e.getMessage());
    }
  }

  @Test
  void pairTaskWithoutPairsNamesTheLine() {
    List<Example> train = SyntheticTickets.intents(10, 1, tmp.resolve("train.csv"));
    FineTuneConfig pair = FineTuneConfig.builder(Task.PAIR).build();
    DataFileException e = assertThrows(DataFileException.class,
        () -> FineTuning.run(SharedModels.tinyBert(), train, List.of(), out(), pair, TrainingListener.NONE));
    assertTrue(e.getMessage().startsWith(tmp.resolve("train.csv") + ":2: the pair task needs"), e.getMessage());
  }

  @Test
  void nanLossStopsTrainingNamingTheStep() throws Exception {
    // A checkpoint with a NaN LayerNorm weight: the first forward is NaN.
    Path model = tmp.resolve("nan-model");
    Files.createDirectories(model);
    for (String file : List.of("config.json", "vocab.txt", "tokenizer_config.json")) {
      Files.copy(SharedModels.tinyBert().resolve(file), model.resolve(file));
    }
    List<TensorData> tensors = new ArrayList<>();
    for (Map.Entry<String, TensorData> t : Safetensors.read(SharedModels.tinyBert().resolve("model.safetensors")).entrySet()) {
      float[] data = t.getValue().data().clone();
      if (t.getKey().equals("bert.encoder.layer.1.output.LayerNorm.weight")) {
        Arrays.fill(data, Float.NaN);
      }
      tensors.add(new TensorData(t.getKey(), t.getValue().shape(), data));
    }
    Safetensors.write(model.resolve("model.safetensors"), tensors, Map.of("format", "pt"));

    List<Example> train = SyntheticTickets.intents(10, 1, tmp.resolve("train.csv"));
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
        () -> FineTuning.run(model, train, List.of(), out(), config, TrainingListener.NONE));
    assertEquals(1, e.step());
    assertTrue(e.getMessage().startsWith("training stopped: the loss is NaN at step 1 (epoch 1, batch 1)"), e.getMessage());
  }

  @Test
  void resumeNeedsAMatchingCheckpoint() throws Exception {
    List<Example> train = SyntheticTickets.intents(10, 1, tmp.resolve("train.csv"));
    FineTuneConfig resume = config.toBuilder().resume(true).build();
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> FineTuning.run(SharedModels.tinyBert(), train, List.of(), out(), resume, TrainingListener.NONE));
    assertTrue(none.getMessage().startsWith("cannot resume: neither "), none.getMessage());

    FineTuning.run(SharedModels.tinyBert(), train, List.of(), out(), config.toBuilder().maxSteps(1).build(), TrainingListener.NONE);
    IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
        () -> FineTuning.run(SharedModels.tinyBert(), train, List.of(), out(), resume.toBuilder().lr(2e-3).build(),
            TrainingListener.NONE));
    assertEquals("cannot resume: the checkpoint was trained with max_steps = 1, this run has 0", other.getMessage());
  }

  @Test
  void callerEntriesOfMetricsJsonTakeTheirOwnNames() throws Exception {
    List<Example> train = SyntheticTickets.intents(10, 1, tmp.resolve("train.csv"));
    FineTuneConfig oneStep = config.toBuilder().maxSteps(1).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuning.run(SharedModels.tinyBert(),
        train, List.of(), out(), oneStep, TrainingListener.NONE, new StopRequest(), Map.of("training", 1)));
    assertEquals("metrics.json entry 'training' is written by the run itself; name yours otherwise", e.getMessage());
    assertFalse(Files.exists(out()), "nothing was trained");

    FineTuning.run(SharedModels.tinyBert(), train, List.of(), out(), oneStep, TrainingListener.NONE, new StopRequest(),
        Map.of("source", Map.of("tickets", 40)));
    Map<String, Object> metrics = Json.MAPPER.readValue(out().resolve(MetricsFile.FILE_NAME).toFile(), new TypeReference<>() {});
    assertEquals(List.of("split", "examples", "loss", "classification", "training", "calibration", "source"),
        List.copyOf(metrics.keySet()));
    assertEquals(Map.of("tickets", 40), metrics.get("source"));
  }
}
