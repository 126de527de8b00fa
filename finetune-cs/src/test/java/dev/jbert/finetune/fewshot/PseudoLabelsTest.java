package dev.jbert.finetune.fewshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.ScoredLabel;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PseudoLabelsTest {

  private static final Path FILE = Path.of("unlabelled.csv");

  private static Example message(String text, long line) {
    return new Example(text, null, List.of(), null, null, FILE, line);
  }

  private static Prediction answer(String label, double score) {
    return Prediction.of(List.of(new ScoredLabel(label, 0, score)), null);
  }

  @Test
  void keepsConfidentMessagesWithTheTeachersLabelFileAndLine() {
    List<Example> messages = List.of(message("card lost", 2), message("hello", 3), message("refund please", 4));
    List<Prediction> answers = List.of(answer("card", 0.95), answer("card", 0.40), answer("refund", 0.90));
    List<Example> kept = PseudoLabels.select(messages, answers, 0.9, Set.of());
    assertEquals(List.of(Example.labelled("card lost", "card", FILE, 2), Example.labelled("refund please", "refund", FILE, 4)),
        kept, "0.95 and 0.90 reach the threshold 0.9, 0.40 does not");
  }

  @Test
  void aLabelledTextOrARepeatedOneIsNotAddedAgain() {
    List<Example> messages = List.of(message("card lost", 2), message("where is my card", 3), message("where is my card", 9));
    List<Prediction> answers = List.of(answer("card", 0.99), answer("delivery", 0.99), answer("delivery", 0.99));
    List<Example> kept = PseudoLabels.select(messages, answers, 0.5, Set.of("card lost"));
    assertEquals(List.of(Example.labelled("where is my card", "delivery", FILE, 3)), kept);
  }

  @Test
  void refusesAnswersThatDoNotMatchTheMessages() {
    assertThrows(IllegalArgumentException.class,
        () -> PseudoLabels.select(List.of(message("a", 1)), List.of(), 0.5, Set.of()));
  }

  @Test
  void theConfigRefusesThresholdsOutsideTheUnitIntervalAndNoRounds() {
    assertThrows(IllegalArgumentException.class, () -> new SelfTrainingConfig(1, 0, 1, 2e-5));
    assertThrows(IllegalArgumentException.class, () -> new SelfTrainingConfig(1, 1.01, 1, 2e-5));
    assertThrows(IllegalArgumentException.class, () -> new SelfTrainingConfig(1, Double.NaN, 1, 2e-5));
    assertThrows(IllegalArgumentException.class, () -> new SelfTrainingConfig(0, 0.9, 1, 2e-5));
    assertEquals(1.0, new SelfTrainingConfig(2, 1.0, 1, 2e-5).threshold());
  }
}
