package dev.jbert.cli;

import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.fewshot.ContrastiveConfig;
import dev.jbert.finetune.fewshot.FewShotSampler;
import dev.jbert.finetune.train.FineTuneConfig;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The few-shot options of {@code jbert train}: {@code --shots-per-label K} trains on a seeded sample
 * of K examples per label (any recipe), and {@code --recipe few-shot} runs SetFit's contrastive
 * stage and head before the classifier stage ({@code FewShotTraining}). Under that recipe the
 * classifier stage defaults to one epoch at lr 2e-5 and to no validation split (every one of the few
 * examples trains), unless {@code --epochs}, {@code --lr} or {@code --validation-split} say otherwise.
 */
final class FewShotOptions {

  /** The recipe name of few-shot training. */
  static final String FEW_SHOT = "few-shot";

  static final int CLASSIFIER_EPOCHS = 1;
  static final double CLASSIFIER_LR = 2e-5;

  @Option(names = "--recipe", paramLabel = "NAME",
      description = "few-shot: a contrastive stage on pairs of the examples (SetFit), a logistic-regression head on the "
          + "normalised mean embedding, then the classifier stage (default there: --epochs 1 --lr 2e-5, no validation split).")
  String recipe;

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

  /** Whether {@code --recipe few-shot} was given; any other recipe name is refused. */
  boolean isFewShot() {
    if (recipe == null) {
      return false;
    }
    if (!recipe.equals(FEW_SHOT)) {
      throw new IllegalArgumentException("--recipe '" + recipe + "' is not known; the recipes are: " + FEW_SHOT);
    }
    return true;
  }

  /** The training examples, or with {@code --shots-per-label} the seeded sample of them. */
  List<Example> sample(List<Example> train, long seed) {
    return shotsPerLabel == null ? train : FewShotSampler.sample(train, shotsPerLabel, seed);
  }

  /** The recipe's classifier-stage defaults, where the command line does not set them. */
  void applyDefaults(FineTuneConfig.Builder b, CommandLine.ParseResult given, boolean evalGiven) {
    if (!isFewShot()) {
      return;
    }
    if (!given.hasMatchedOption("--epochs")) {
      b.epochs(CLASSIFIER_EPOCHS);
    }
    if (!given.hasMatchedOption("--lr")) {
      b.lr(CLASSIFIER_LR);
    }
    if (!given.hasMatchedOption("--validation-split") && !evalGiven) {
      b.validationSplit(0);
    }
  }

  /** The contrastive stage's settings. */
  ContrastiveConfig contrastive(long seed) {
    return ContrastiveConfig.defaults(seed).with(rounds, batchSize, lr, epochs);
  }
}
