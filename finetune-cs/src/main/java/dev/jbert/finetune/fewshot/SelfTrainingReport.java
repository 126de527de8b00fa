package dev.jbert.finetune.fewshot;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The {@code self_training} entry of a self-trained model's {@code metrics.json}: the settings and
 * how many messages each round added, so the folder says that part of what its model learnt was the
 * teacher's labels (its {@code examples} count them).
 *
 * @param rounds teacher-student rounds
 * @param threshold the least top probability kept
 * @param studentEpochs passes of each student
 * @param studentLr each student's learning rate
 * @param labelled labelled examples
 * @param unlabelled unlabelled messages given
 * @param pseudoLabelled messages added in each round
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class) // student_epochs, pseudo_labelled
public record SelfTrainingReport(int rounds, double threshold, int studentEpochs, double studentLr, int labelled,
    int unlabelled, List<Integer> pseudoLabelled) {

  /** The entry's name in {@code metrics.json}. */
  public static final String KEY = "self_training";

  public SelfTrainingReport {
    pseudoLabelled = List.copyOf(pseudoLabelled);
  }
}
