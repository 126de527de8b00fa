package dev.jbert.cli;

import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.Recipes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code jbert train --recipe NAME}: {@code intent} takes {@link Recipes#intent()}'s settings, and
 * {@code few-shot} runs SetFit's contrastive stage and head before the classifier stage, whose
 * defaults are then one epoch at lr 2e-5 and no validation split (every one of the few examples
 * trains). Options given on the command line override the recipe's values.
 */
final class RecipeOption {

  /** The recipe name of few-shot training. */
  static final String FEW_SHOT = "few-shot";

  static final List<String> NAMES = List.of(Recipes.INTENT, FEW_SHOT);

  static final int FEW_SHOT_CLASSIFIER_EPOCHS = 1;
  static final double FEW_SHOT_CLASSIFIER_LR = 2e-5;

  @Option(names = "--recipe", paramLabel = "NAME",
      description = "intent: the settings chosen on Banking77 (mean-pooling head, lr 1e-4, layer-wise decay 0.9, label "
          + "smoothing 0.1, weight average 0.998, 6 epochs). few-shot: a contrastive stage on pairs of the examples "
          + "(SetFit), a logistic-regression head on the normalised mean embedding, then the classifier stage (default "
          + "there: --epochs 1 --lr 2e-5, no validation split). Options given beside a recipe override it.")
  String recipe;

  /** Whether {@code --recipe few-shot} was given; an unknown recipe name is refused. */
  boolean isFewShot() {
    check();
    return FEW_SHOT.equals(recipe);
  }

  private void check() {
    if (recipe != null && !NAMES.contains(recipe)) {
      throw new IllegalArgumentException("--recipe '" + recipe + "' is not known; the recipes are: " + String.join(", ", NAMES));
    }
  }

  /** The recipe's settings, where the command line does not set them. */
  void applyDefaults(FineTuneConfig.Builder b, CommandLine.ParseResult given, boolean evalGiven) {
    check();
    // option -> how the recipe sets what that option would
    Map<String, Consumer<FineTuneConfig.Builder>> recipeValues = new LinkedHashMap<>();
    if (Recipes.INTENT.equals(recipe)) {
      FineTuneConfig r = Recipes.intent().build();
      if (!r.task().id().equals(given.matchedOptionValue("--task", ""))) {
        throw new IllegalArgumentException("--recipe intent trains intents: use it with --task intent");
      }
      recipeValues.put("--classifier-pooling", x -> x.classifierPooling(r.classifierPooling()));
      recipeValues.put("--lr", x -> x.lr(r.lr()));
      recipeValues.put("--layer-lr-decay", x -> x.layerLrDecay(r.layerLrDecay()));
      recipeValues.put("--label-smoothing", x -> x.labelSmoothing(r.labelSmoothing()));
      recipeValues.put("--ema-decay", x -> x.emaDecay(r.emaDecay()));
      recipeValues.put("--epochs", x -> x.epochs(r.epochs()));
    } else if (FEW_SHOT.equals(recipe)) {
      recipeValues.put("--epochs", x -> x.epochs(FEW_SHOT_CLASSIFIER_EPOCHS));
      recipeValues.put("--lr", x -> x.lr(FEW_SHOT_CLASSIFIER_LR));
      if (!evalGiven) {
        recipeValues.put("--validation-split", x -> x.validationSplit(0));
      }
    }
    recipeValues.forEach((option, take) -> {
      if (!given.hasMatchedOption(option)) {
        take.accept(b);
      }
    });
  }
}
