package dev.jbert.finetune.fewshot;

/**
 * Self-training of few-shot training on unlabelled messages (a teacher labels them, a student learns
 * from the confident ones; see {@link FewShotTraining}).
 *
 * @param rounds teacher-student rounds: each round's student labels the messages again for the next
 * @param threshold the teacher's top probability a message needs to become a training example, in (0, 1]
 * @param studentEpochs passes of each student over the labelled and pseudo-labelled examples
 * @param studentLr the student's peak learning rate (its other settings are the classifier stage's)
 */
public record SelfTrainingConfig(int rounds, double threshold, int studentEpochs, double studentLr) {

  /** The threshold chosen on Banking77's held-out training messages (docs/results.md lists what was tried). */
  public static final double DEFAULT_THRESHOLD = 0.7;

  /** One round. */
  public static final int DEFAULT_ROUNDS = 1;

  /** The student's default passes over its examples (chosen with the threshold). */
  public static final int DEFAULT_STUDENT_EPOCHS = 3;

  /** The student's default learning rate (chosen with the threshold). */
  public static final double DEFAULT_STUDENT_LR = 1e-4;

  /** Checks the ranges, naming the setting. */
  public SelfTrainingConfig {
    if (rounds < 1) {
      throw new IllegalArgumentException("self-training rounds must be >= 1, got " + rounds);
    }
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("pseudo-label threshold must be in (0, 1], got " + threshold);
    }
    if (studentEpochs < 1) {
      throw new IllegalArgumentException("student epochs must be >= 1, got " + studentEpochs);
    }
    if (!(studentLr >= 0 && Double.isFinite(studentLr))) {
      throw new IllegalArgumentException("student learning rate must be >= 0, got " + studentLr);
    }
  }

  /** The defaults. */
  public static SelfTrainingConfig defaults() {
    return new SelfTrainingConfig(DEFAULT_ROUNDS, DEFAULT_THRESHOLD, DEFAULT_STUDENT_EPOCHS, DEFAULT_STUDENT_LR);
  }
}
