package dev.jbert.cli;

import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.fewshot.ContrastiveConfig;
import dev.jbert.finetune.fewshot.FewShotSampler;
import dev.jbert.finetune.fewshot.SelfTrainingConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The few-shot options of {@code jbert train}: {@code --shots-per-label K} trains on a seeded sample
 * of K examples per label (any recipe); the {@code --contrastive-*} options set the contrastive
 * stage of {@code --recipe few-shot} ({@link RecipeOption}, {@code FewShotTraining}), and {@code --unlabelled}
 * its self-training.
 */
final class FewShotOptions {

  @Option(names = "--shots-per-label", paramLabel = "K",
      description = "Train on K examples per label drawn from --train with --seed (stratified, reproducible).")
  Integer shotsPerLabel;

  @Option(names = "--contrastive-rounds", paramLabel = "R", defaultValue = "20",
      description = "few-shot: pairs per example and label kind (SetFit's num_iterations). Default: ${DEFAULT-VALUE}.")
  int rounds;

  @Option(names = "--contrastive-batch-size", paramLabel = "N", defaultValue = "16",
      description = "few-shot: pairs per contrastive step. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--contrastive-lr", paramLabel = "X", defaultValue = "2e-5",
      description = "few-shot: learning rate of the contrastive stage. Default: ${DEFAULT-VALUE}.")
  double lr;

  @Option(names = "--contrastive-epochs", paramLabel = "N", defaultValue = "1",
      description = "few-shot: passes over the pairs. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--head-c", paramLabel = "C", defaultValue = "" + ContrastiveConfig.DEFAULT_HEAD_C,
      description = "few-shot: inverse L2 strength of the logistic-regression head (scikit-learn's C; SetFit keeps 1)."
          + " Default: ${DEFAULT-VALUE}.")
  double headC;

  @Option(names = "--head-iterations", paramLabel = "N", defaultValue = "" + ContrastiveConfig.DEFAULT_HEAD_ITERATIONS,
      description = "few-shot: gradient iterations of the head's fit. Default: ${DEFAULT-VALUE}.")
  int headIterations;

  @Option(names = "--unlabelled", paramLabel = "FILE",
      description = "few-shot: messages without labels (same format and text column as --train; a label column is "
          + "ignored) for self-training: the trained model labels them, the confident ones join the examples and a "
          + "student trains on both.")
  Path unlabelled;

  @Option(names = "--self-training-rounds", paramLabel = "N", defaultValue = "" + SelfTrainingConfig.DEFAULT_ROUNDS,
      description = "few-shot with --unlabelled: teacher-student rounds. Default: ${DEFAULT-VALUE}.")
  int selfTrainingRounds;

  @Option(names = "--pseudo-label-threshold", paramLabel = "P", defaultValue = "" + SelfTrainingConfig.DEFAULT_THRESHOLD,
      description = "few-shot with --unlabelled: the least top probability for a message to become an example. "
          + "Default: ${DEFAULT-VALUE}.")
  double pseudoLabelThreshold;

  @Option(names = "--student-epochs", paramLabel = "N", defaultValue = "" + SelfTrainingConfig.DEFAULT_STUDENT_EPOCHS,
      description = "few-shot with --unlabelled: the student's passes over its examples. Default: ${DEFAULT-VALUE}.")
  int studentEpochs;

  @Option(names = "--student-lr", paramLabel = "X", defaultValue = "" + SelfTrainingConfig.DEFAULT_STUDENT_LR,
      description = "few-shot with --unlabelled: the student's learning rate. Default: ${DEFAULT-VALUE}.")
  double studentLr;

  /** The training examples, or with {@code --shots-per-label} the seeded sample of them. */
  List<Example> sample(List<Example> train, long seed) {
    return shotsPerLabel == null ? train : FewShotSampler.sample(train, shotsPerLabel, seed);
  }

  /** The self-training settings. */
  SelfTrainingConfig selfTraining() {
    return new SelfTrainingConfig(selfTrainingRounds, pseudoLabelThreshold, studentEpochs, studentLr);
  }

  /** The contrastive stage's settings. */
  ContrastiveConfig contrastive(long seed) {
    return ContrastiveConfig.defaults(seed).with(rounds, batchSize, lr, epochs).withHead(headC, headIterations);
  }
}
