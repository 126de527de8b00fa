package dev.jbert.finetune.train;

import dev.jbert.core.config.BertConfig;
import dev.jbert.finetune.model.Task;

/**
 * Named fine-tuning recipes: the settings a search on held-out data chose for one kind of problem,
 * so that a run names the recipe instead of a paragraph of flags ({@code jbert train --recipe NAME};
 * options given beside it override its values).
 */
public final class Recipes {

  /** The name of {@link #intent()}. */
  public static final String INTENT = "intent";

  private Recipes() {}

  /**
   * Intent classification of short customer messages with a sentence encoder such as
   * all-MiniLM-L6-v2: the head reads the mean of the token vectors (the embedding the encoder was
   * trained to give; its checkpoint has no trained pooler), lr 1e-4 with layer-wise decay 0.9,
   * label smoothing 0.1 and an exponential moving average of the weights (decay 0.998), 6 epochs of
   * batches of 32 with 10% warm-up. Chosen on Banking77's validation split (the README lists what was
   * tried and what each gave).
   */
  public static FineTuneConfig.Builder intent() {
    return FineTuneConfig.builder(Task.INTENT)
        .classifierPooling(BertConfig.MEAN)
        .lr(1e-4)
        .layerLrDecay(0.9)
        .labelSmoothing(0.1)
        .emaDecay(0.998)
        .epochs(6);
  }
}
