package dev.jbert.finetune.predict;

import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Inference;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers messages with a fine-tuned model: the top-k labels with softmax probabilities, the best
 * label or, below the confidence threshold, the hand-off label; or the score of a regression model.
 *
 * <p>Thread-safe: calls are serialised, because they share the model's buffers. For parallel
 * serving, load one predictor per thread.
 */
public final class Predictor {

  private final FineTunedModel model;
  private final int topK;
  private final HandOff handOff;
  private final int batchSize;

  /**
   * @param topK how many labels each prediction lists, at least 1
   * @param handOff the threshold and hand-off label; null never hands off
   * @param batchSize messages per forward pass
   */
  public Predictor(FineTunedModel model, int topK, HandOff handOff, int batchSize) {
    if (topK < 1) {
      throw new IllegalArgumentException("top-k must be >= 1, got " + topK);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.model = model;
    this.topK = topK;
    this.handOff = handOff;
    this.batchSize = batchSize;
  }

  /** Whether the model predicts scores ({@link #score}) rather than labels ({@link #classify}). */
  public boolean isRegression() {
    return model.labels() == null;
  }

  /** The hand-off in use, or null. */
  public HandOff handOff() {
    return handOff;
  }

  /**
   * The answer for each message, in order.
   *
   * @throws IllegalStateException for a regression model
   */
  public synchronized List<Prediction> classify(List<Example> messages) {
    if (isRegression()) {
      throw new IllegalStateException("a regression model gives scores, not labels; use score()");
    }
    float[][] logits = logits(messages);
    HandOff decision = handOff != null ? handOff : new HandOff(0, HandOff.TRANSFER_TO_AGENT); // threshold 0: never
    List<Prediction> out = new ArrayList<>(logits.length);
    for (List<ScoredLabel> ranked : TopK.fromLogits(logits, model.labels(), topK)) {
      out.add(decision.decide(ranked));
    }
    return out;
  }

  /**
   * The predicted score of each message, in order.
   *
   * @throws IllegalStateException for a classification model
   */
  public synchronized double[] score(List<Example> messages) {
    if (!isRegression()) {
      throw new IllegalStateException("a classification model gives labels, not scores; use classify()");
    }
    float[][] logits = logits(messages);
    double[] scores = new double[logits.length];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = logits[i][0];
    }
    return scores;
  }

  private float[][] logits(List<Example> messages) {
    if (messages.isEmpty()) {
      return new float[0][];
    }
    List<EncodedExample> inputs = model.encoder().encodeInputs(messages);
    return Inference.logits(model.model(), inputs, model.encoder().padId(), batchSize);
  }
}
