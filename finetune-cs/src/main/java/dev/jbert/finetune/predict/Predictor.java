package dev.jbert.finetune.predict;

import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.Inference;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.ood.DetectorKind;
import dev.jbert.finetune.ood.OodDetector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers messages with a fine-tuned model: the top-k labels with softmax probabilities (of the
 * logits divided by the model's calibration temperature, 1 when it has none), the best label or, when
 * the hand-off's detector scores the message below its threshold, the hand-off label; or the score of
 * a regression model. The hand-off's detector is the top probability (softmax), or one saved with the
 * model (energy, Mahalanobis, kNN: {@link FineTunedModel#detectors()}).
 *
 * <pre>{@code
 * try (FineTunedModel model = FineTunedModel.load(Path.of("runs/banking77"))) {
 *   Predictor predictor = Predictor.of(model).withTopK(3);
 *   Prediction p = predictor.classify("My card still hasn't arrived.");          // one message
 *   List<Prediction> ps = predictor.classifyAll(List.of("Where is my card?", "I was charged twice"));
 *   Prediction fit = replyMatcher.classifyPair("Where is my card?", "It ships in 3 days.");   // pair model
 *   List<RankedReply> best = replyMatcher.rankReplies("Where is my card?", drafts, "appropriate");
 *   Prediction turn = domain.classifyInContext("还有别的吗?", List.of("推荐一家酒店", "好的, 如家酒店")); // context model
 * }
 * }</pre>
 *
 * <p>An input must match how the model was trained: a pair model ({@link Task#PAIR}) needs the
 * candidate reply of every message and any other model refuses one; earlier turns are only taken by a
 * model trained with a context column. A mismatch is an {@link IllegalArgumentException} naming the
 * input, never a silently different encoding.
 *
 * <p>Immutable settings; thread-safe: calls are serialised, because they share the model's buffers.
 * For parallel serving, load one model per thread.
 */
public final class Predictor {

  /** Messages per forward pass unless {@link #withBatchSize} says otherwise. */
  public static final int DEFAULT_BATCH_SIZE = 32;

  /** Where examples built from API input say they come from. */
  private static final Path API_INPUT = Path.of("input");

  private final FineTunedModel model;
  private final int topK;
  private final HandOff handOff;
  private final int batchSize;
  private final OodDetector detector; // null: the hand-off reads the top probability

  /**
   * @param topK how many labels each prediction lists, at least 1
   * @param handOff the detector, threshold and hand-off label; null never hands off
   * @param batchSize messages per forward pass
   * @throws IllegalArgumentException when the hand-off's detector is not one the model folder has
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
    this.detector = handOff == null || handOff.detector() == DetectorKind.SOFTMAX ? null : model.detector(handOff.detector());
  }

  /**
   * A predictor with the model's saved hand-off (if training picked one), the single best label
   * per prediction, and {@value #DEFAULT_BATCH_SIZE} messages per forward pass.
   */
  public static Predictor of(FineTunedModel model) {
    return new Predictor(model, 1, model.settings().handOff(), DEFAULT_BATCH_SIZE);
  }

  /** The same predictor listing the {@code k} most probable labels in each prediction. */
  public Predictor withTopK(int k) {
    return new Predictor(model, k, handOff, batchSize);
  }

  /** The same predictor with another hand-off rule; null never hands off. */
  public Predictor withHandOff(HandOff value) {
    return new Predictor(model, topK, value, batchSize);
  }

  /** The same predictor running {@code n} messages per forward pass. */
  public Predictor withBatchSize(int n) {
    return new Predictor(model, topK, handOff, n);
  }

  /** The model it answers with. */
  public FineTunedModel model() {
    return model;
  }

  /** Whether the model predicts scores ({@link #score}) rather than labels ({@link #classify}). */
  public boolean isRegression() {
    return model.labels() == null;
  }

  /** The labels in id order, or null for a regression model. */
  public List<String> labels() {
    LabelMap labels = model.labels();
    return labels == null ? null : labels.labels();
  }

  /** Labels listed per prediction. */
  public int topK() {
    return topK;
  }

  /** The hand-off in use, or null. */
  public HandOff handOff() {
    return handOff;
  }

  /** Messages per forward pass. */
  public int batchSize() {
    return batchSize;
  }

  /** The answer for one message. */
  public Prediction classify(String text) {
    return classify(Input.of(text));
  }

  /** The answer for a (customer message, candidate reply) pair, for a reply-matching model. */
  public Prediction classifyPair(String text, String reply) {
    return classify(Input.pair(text, reply));
  }

  /**
   * Ranks candidate replies to one message with a reply-matching model: each reply scored on the pair
   * (message, reply) by the probability of {@code label} (softmax of the logits over the model's
   * temperature), best first, equal scores in the order given. The service's {@code /rerank} answers
   * the same.
   *
   * @param label the label whose probability ranks, e.g. {@code "appropriate"}
   * @throws IllegalStateException unless the model was trained on (message, reply) pairs
   * @throws IllegalArgumentException when {@code label} is not one of the model's labels
   */
  public List<RankedReply> rankReplies(String message, List<String> replies, String label) {
    if (model.settings().task() != Task.PAIR) {
      throw new IllegalStateException("ranking replies needs a model trained on (message, reply) pairs; this is a "
          + model.settings().task().id() + " model");
    }
    if (!model.labels().contains(label)) {
      throw new IllegalArgumentException("label '" + label + "' is not one of the model's labels " + model.labels().labels());
    }
    int id = model.labels().id(label);
    float[][] logits = rawScores(replies.stream().map(r -> Input.pair(message, r)).toList());
    double[] scores = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      scores[i] = Softmax.of(logits[i], model.settings().temperature())[id];
    }
    return RankedReply.byScore(replies, scores);
  }

  /** The answer for a message with the earlier turns of its conversation, oldest first. */
  public Prediction classifyInContext(String text, List<String> earlierTurns) {
    return classify(Input.inContext(text, earlierTurns));
  }

  /** The answer for one input. */
  public Prediction classify(Input input) {
    return classifyInputs(List.of(input)).get(0);
  }

  /** The answer for each message, in order. */
  public List<Prediction> classifyAll(List<String> texts) {
    return classifyInputs(texts.stream().map(Input::of).toList());
  }

  /** The answer for each input, in order. */
  public List<Prediction> classifyInputs(List<Input> inputs) {
    return classifyExamples(examples(inputs));
  }

  /**
   * The answer for each example read from a data file, in order (labels and scores, if any, are
   * ignored).
   *
   * @throws IllegalStateException for a regression model
   * @throws IllegalArgumentException for an example that does not fit the model, naming its file and line
   */
  public List<Prediction> classifyExamples(List<Example> messages) {
    if (isRegression()) {
      throw new IllegalStateException("a regression model gives scores, not labels; use score()");
    }
    Inference.Outputs outputs = outputs(messages, detector != null && detector.kind().usesFeatures());
    float[][] logits = outputs.logits();
    List<List<ScoredLabel>> ranked = TopK.fromLogits(logits, model.labels(), topK, model.settings().temperature());
    List<Prediction> out = new ArrayList<>(logits.length);
    for (int i = 0; i < logits.length; i++) {
      double inScope = detector == null ? ranked.get(i).get(0).score()
          : detector.score(logits[i], outputs.features() == null ? null : outputs.features()[i]);
      out.add(Prediction.of(ranked.get(i), handOff, inScope));
    }
    return out;
  }

  /**
   * The predicted score of one message.
   *
   * @throws IllegalStateException for a classification model
   */
  public double score(String text) {
    return score(Input.of(text));
  }

  /** The predicted score of one input. */
  public double score(Input input) {
    return scoreInputs(List.of(input))[0];
  }

  /** The predicted score of each message, in order. */
  public double[] scoreAll(List<String> texts) {
    return scoreInputs(texts.stream().map(Input::of).toList());
  }

  /** The predicted score of each input, in order. */
  public double[] scoreInputs(List<Input> inputs) {
    return scoreExamples(examples(inputs));
  }

  /**
   * The predicted score of each example read from a data file, in order.
   *
   * @throws IllegalStateException for a classification model
   */
  public double[] scoreExamples(List<Example> messages) {
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

  /**
   * The head's raw outputs for each input, {@code [n, num_labels]} in input order: logits before
   * temperature and softmax for a classifier, the score for a regression model.
   */
  public float[][] rawScores(List<Input> inputs) {
    return logits(examples(inputs));
  }

  private float[][] logits(List<Example> messages) {
    return outputs(messages, false).logits();
  }

  private synchronized Inference.Outputs outputs(List<Example> messages, boolean withFeatures) {
    if (messages.isEmpty()) {
      return new Inference.Outputs(new float[0][], withFeatures ? new float[0][] : null);
    }
    for (Example e : messages) {
      checkFitsModel(e);
    }
    List<EncodedExample> inputs = model.encoder().encodeInputs(messages);
    return Inference.outputs(model.model(), inputs, model.encoder().padId(), batchSize, withFeatures);
  }

  private static List<Example> examples(List<Input> inputs) {
    List<Example> out = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      Input in = inputs.get(i);
      out.add(new Example(in.text(), in.pair(), in.context(), null, null, API_INPUT, i + 1));
    }
    return out;
  }

  /**
   * Refuses input that the model would read differently from its training data: a message without
   * a candidate reply for a pair model, a reply for any other model, earlier turns for a model trained
   * without them. The calls that predict check this for every input; a caller that gathers inputs
   * from many sources (a file, a stream) can check each one first and report it on its own.
   *
   * @throws IllegalArgumentException naming the example's {@code file:line} and what does not fit
   */
  public void requireFits(Example e) {
    checkFitsModel(e);
  }

  /** Refuses input that the model would read differently from its training data. */
  private void checkFitsModel(Example e) {
    boolean pairModel = model.settings().task() == Task.PAIR;
    if (pairModel && !e.hasPair()) {
      throw new IllegalArgumentException(e.where() + ": this model matches (message, reply) pairs and the"
          + " message has no candidate reply (text_pair); without it the model would score the message alone");
    }
    if (!pairModel && e.hasPair()) {
      throw new IllegalArgumentException(e.where() + ": this " + model.settings().task().id()
          + " model was trained on single messages and takes no candidate reply (text_pair)");
    }
    if (!model.settings().contextSegment() && !e.context().isEmpty()) {
      throw new IllegalArgumentException(e.where() + ": this model was trained without earlier turns and takes no context");
    }
  }
}
