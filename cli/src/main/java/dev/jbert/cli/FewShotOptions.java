package dev.jbert.cli;

import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.fewshot.ContrastiveConfig;
import dev.jbert.finetune.fewshot.FewShotSampler;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The few-shot options of {@code jbert train}: {@code --shots-per-label K} trains on a seeded sample
 * of K examples per label (any recipe); the {@code --contrastive-*} options set the contrastive
 * stage of {@code --recipe few-shot} ({@link RecipeOption}, {@code FewShotTraining}).
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

  /** The training examples, or with {@code --shots-per-label} the seeded sample of them. */
  List<Example> sample(List<Example> train, long seed) {
    return shotsPerLabel == null ? train : FewShotSampler.sample(train, shotsPerLabel, seed);
  }

  /** The contrastive stage's settings. */
  ContrastiveConfig contrastive(long seed) {
    return ContrastiveConfig.defaults(seed).with(rounds, batchSize, lr, epochs).withHead(headC, headIterations);
  }
}
