package dev.jbert.finetune.fewshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.train.FineTuneResult;
import dev.jbert.finetune.train.StopRequest;
import dev.jbert.finetune.train.SyntheticTickets;
import dev.jbert.finetune.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Few-shot training with self-training, end to end on tiny-random-bert-large-init: 10 labelled
 * examples per intent of the synthetic tickets, the other 30 per intent without their labels, two
 * teacher-student rounds.
 */
class SelfTrainingTest {

  @TempDir static Path tmp;
  /** The tickets whose labels training is not told, with their labels. */
  private static List<Example> notLabelled;
  private static final List<String> stageLines = new ArrayList<>();
  private static FineTuneResult result;

  @BeforeAll
  static void train() throws Exception {
    List<Example> all = SyntheticTickets.intents(40, 1, tmp.resolve("train.csv"));
    List<Example> labelled = FewShotSampler.sample(all, 10, 42);
    notLabelled = all.stream().filter(e -> !labelled.contains(e)).toList();
    List<Example> unlabelled = notLabelled.stream()
        .map(e -> new Example(e.text(), null, List.of(), null, null, e.source(), e.line())).toList();
    result = FewShotTraining.run(SharedModels.tinyBertLargeInit(), labelled, List.of(), unlabelled,
        new SelfTrainingConfig(2, 0.5, 1, 1e-3), tmp.resolve("out"), FewShotTrainingTest.tinyClassifier(),
        FewShotTrainingTest.tinyContrastive(), TrainingListener.NONE, stageLines::add, new StopRequest());
  }

  @Test
  void eachRoundAddsTheConfidentMessagesToTheLabelledOnes() {
    Pattern round = Pattern.compile("self-training round (\\d) of 2: (\\d+) of 120 unlabelled messages labelled by the "
        + "teacher at >= 0\\.50 join the 40 labelled ones");
    List<Matcher> rounds = stageLines.stream().map(round::matcher).filter(Matcher::matches).toList();
    assertEquals(2, rounds.size(), stageLines.toString());
    int lastAdded = Integer.parseInt(rounds.get(1).group(2));
    assertTrue(lastAdded > 0, stageLines.toString());
    // the last student trains one epoch on the labelled and the pseudo-labelled examples, in batches of 8
    assertEquals((40 + lastAdded + 7) / 8, result.state().step());
    assertEquals(40 + lastAdded, result.evaluation().count(), "scored on its training examples (no validation split)");
  }

  @Test
  void metricsJsonSaysWhatTheTeacherAdded() throws Exception {
    JsonNode entry = Json.MAPPER.readTree(result.outputDir().resolve("metrics.json").toFile()).get("self_training");
    assertEquals(2, entry.get("rounds").asInt());
    assertEquals(0.5, entry.get("threshold").asDouble());
    assertEquals(1, entry.get("student_epochs").asInt());
    assertEquals(40, entry.get("labelled").asInt());
    assertEquals(120, entry.get("unlabelled").asInt());
    List<Integer> logged = stageLines.stream().filter(l -> l.startsWith("self-training round"))
        .map(l -> Integer.parseInt(l.replaceAll(".*: (\\d+) of 120 .*", "$1"))).toList();
    assertEquals(logged, Json.MAPPER.convertValue(entry.get("pseudo_labelled"), new TypeReference<List<Integer>>() {}));
    assertTrue(Json.MAPPER.readTree(result.outputDir().resolve("metrics.json").toFile()).has("classification"),
        "the run's own entries stay");
  }

  @Test
  void anUnlabelledRowWithAPairIsRefusedNamingFileAndLine() {
    Example pair = new Example("where is my card", "it is on its way", List.of(), null, null, Path.of("unlabelled.csv"), 7);
    DataFileException e = assertThrows(DataFileException.class, () -> FewShotTraining.run(SharedModels.tinyBertLargeInit(),
        notLabelled, List.of(), List.of(pair), SelfTrainingConfig.defaults(), tmp.resolve("refused"),
        FewShotTrainingTest.tinyClassifier(), FewShotTrainingTest.tinyContrastive(), TrainingListener.NONE, s -> {},
        new StopRequest()));
    assertTrue(e.getMessage().contains("unlabelled.csv:7"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("refused")));
  }

  @Test
  void onlyTheModelFolderIsLeft() throws Exception {
    assertTrue(Files.isRegularFile(result.outputDir().resolve("model.safetensors")));
    assertFalse(Files.exists(tmp.resolve("out" + FewShotTraining.STAGE_SUFFIX)));
    assertFalse(Files.exists(tmp.resolve("out" + FewShotTraining.TEACHER_SUFFIX)));
    try (var files = Files.list(tmp)) {
      assertEquals(Set.of("out"), files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
    }
  }

  @Test
  void theStudentClassifiesTheMessagesItWasNotToldAboveChance() throws Exception {
    try (FineTunedModel model = FineTunedModel.load(result.outputDir())) {
      double accuracy = Evaluator.of(model, 16).evaluate(notLabelled).classification().accuracy();
      // 0.567 when written (seeded; a tiny random model learning from the teacher's mistakes too); chance is 0.25
      assertTrue(accuracy > 0.45, "accuracy " + accuracy + " on the 120 unlabelled tickets (chance 0.25)");
    }
  }
}
