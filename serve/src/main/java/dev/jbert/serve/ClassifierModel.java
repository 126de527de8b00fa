package dev.jbert.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.Inference;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.model.TaskSettings;
import dev.jbert.finetune.ood.DetectorKind;
import dev.jbert.finetune.ood.OodDetector;
import dev.jbert.finetune.predict.Input;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import dev.jbert.tokenizer.Side;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A fine-tuned classifier or regressor ({@link FineTunedModel}) served by {@code workers} replicas
 * that share its weights. Inputs are encoded exactly as {@code Predictor} encodes them (the model's
 * {@code TextEncoder}: its length limit, context segment and pair layout), once, in the request thread;
 * the batcher only runs forward passes ({@link Inference#logits}). When the model's saved hand-off
 * reads pooled features (the Mahalanobis or kNN detector), each replica also runs that detector on
 * its worker thread and appends one column to each row of logits: 1 when the message is handed off
 * at the saved threshold, else 0 ({@link #logits(float[])} strips it).
 */
final class ClassifierModel extends ServedModel<EncodedExample> {

  /** Where encoded requests say they come from in error messages of the encoder. */
  private static final Path REQUEST = Path.of("request");

  private final FineTunedModel model;
  private final BertTokenizer tokenizer;
  private final List<LogitsReplica> replicas = new ArrayList<>();
  private final List<String> outputLabels;
  private final HandOff featureHandOff; // the saved hand-off when its detector reads features, else null

  private ClassifierModel(String name, Path dir, FineTunedModel model, BertTokenizer tokenizer, int workers) {
    super(name, dir);
    this.model = model;
    this.tokenizer = tokenizer;
    HandOff saved = model.settings().handOff();
    this.featureHandOff = saved != null && saved.detector().usesFeatures() ? saved : null;
    OodDetector detector = featureHandOff == null ? null : model.detector(featureHandOff.detector());
    replicas.add(new LogitsReplica(model.model(), model.encoder().padId(), false, detector, featureHandOff));
    for (int i = 1; i < workers; i++) {
      replicas.add(new LogitsReplica(model.model().replica(), model.encoder().padId(), true, detector, featureHandOff));
    }
    this.outputLabels = model.model().config().labels();
  }

  /** The head's logits of a replica's output row (without the hand-off column of a feature detector). */
  float[] logits(float[] row) {
    return featureHandOff == null ? row : Arrays.copyOf(row, outputLabels.size());
  }

  /** The model's calibration temperature (1 = none): probabilities are softmax(logits / T). */
  double temperature() {
    return settings().temperature();
  }

  /**
   * The in-scope score of a replica's output row by {@code handOff}'s detector: the top probability
   * {@code top} for softmax, the energy score from the logits, and for the saved feature detector
   * −∞ or +∞ as the replica found the message below or above the saved threshold.
   */
  double inScopeScore(float[] row, HandOff handOff, double top) {
    return switch (handOff.detector()) {
      case SOFTMAX -> top;
      case ENERGY -> model.detector(DetectorKind.ENERGY).score(logits(row), null);
      case MAHALANOBIS, KNN -> {
        if (featureHandOff == null || featureHandOff.detector() != handOff.detector()) {
          throw new IllegalStateException("the replicas ran no " + handOff.detector().id() + " detector");
        }
        yield row[outputLabels.size()] == 1f ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      }
    };
  }

  /** Loads the folder and makes {@code workers} replicas over its weights. */
  static ClassifierModel load(ModelSpec spec, int workers) throws IOException {
    // FineTunedModel keeps its tokenizer inside its encoder; the service needs one for lengths and /tokenize
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(spec.dir());
    return new ClassifierModel(spec.name(), spec.dir(), FineTunedModel.load(spec.dir()), tokenizer, workers);
  }

  @Override
  Kind kind() {
    return model.labels() == null ? Kind.REGRESSOR : Kind.CLASSIFIER;
  }

  /** Its kind's routes, and {@code rerank} when it was trained on (message, reply) pairs. */
  @Override
  List<String> routes() {
    if (settings().task() != Task.PAIR) {
      return super.routes();
    }
    List<String> routes = new ArrayList<>(super.routes());
    routes.add(routes.indexOf("classify") + 1, "rerank");
    return List.copyOf(routes);
  }

  TaskSettings settings() {
    return model.settings();
  }

  /** The classes in id order, or null for a regressor. */
  LabelMap labels() {
    return model.labels();
  }

  /** The head's output names in id order ({@code id2label}; one for a regressor). */
  List<String> outputLabels() {
    return outputLabels;
  }

  @Override
  BertTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  int length(EncodedExample input) {
    return input.length();
  }

  @Override
  int maxLength() {
    return model.encoder().maxLength();
  }

  /**
   * The model input of one request input.
   *
   * @param where how error messages name the input, e.g. {@code texts[2]}
   * @param truncate false: an input whose message (and pair) is over {@link #maxLength()} tokens is
   *     refused instead of cut; earlier turns of a context model are always fitted, oldest dropped first
   * @param direction which end an over-long input loses ({@link Side#LEFT} only for models trained
   *     without a context segment)
   * @throws ApiError 422 for input the model was not trained to read, or over-long input without truncation
   */
  EncodedExample encode(Input input, String where, boolean truncate, Side direction) {
    checkFits(input, where);
    if (!truncate) {
      int length = tokenizer.encode(input.text(), input.pair(), EncodeOptions.DEFAULT).length();
      int limit = maxLength() - (settings().contextSegment() && input.pair() == null ? 1 : 0); // the empty segment A's [SEP]
      if (length > limit) {
        throw ApiError.validation(where + " has " + length + " tokens and this model reads at most " + limit
            + "; send truncate: true (the default) to cut it");
      }
    }
    if (direction == Side.LEFT) {
      if (settings().contextSegment()) {
        throw ApiError.validation("truncation_direction left is not supported by model '" + name()
            + "', which was trained with earlier turns of the dialogue (its messages are cut at the right)");
      }
      Encoding e = tokenizer.encode(input.text(), input.pair(),
          EncodeOptions.truncatedTo(maxLength()).withTruncationSide(Side.LEFT));
      return EncodedExample.unlabelled(e.inputIds(), e.typeIds());
    }
    return model.encoder().encodeInput(new Example(input.text(), input.pair(), input.context(), null, null, REQUEST, 1));
  }

  /** The same refusals as {@code Predictor}, with the request's field names. */
  private void checkFits(Input input, String where) {
    boolean pairModel = settings().task() == Task.PAIR;
    if (pairModel && input.pair() == null) {
      throw ApiError.validation(where + ": model '" + name() + "' matches (message, reply) pairs and the message has"
          + " no candidate reply (text_pair); without it the model would score the message alone");
    }
    if (!pairModel && input.pair() != null) {
      throw ApiError.validation(where + ": model '" + name() + "' was trained on single messages ("
          + settings().task().id() + ") and takes no candidate reply (text_pair)");
    }
    if (!settings().contextSegment() && !input.context().isEmpty()) {
      throw ApiError.validation(where + ": model '" + name() + "' was trained without earlier turns and takes no context");
    }
  }

  /** The hand-off saved with the model, or null. */
  HandOff savedHandOff() {
    return settings().handOff();
  }

  @Override
  List<LogitsReplica> replicas() {
    return replicas;
  }

  @Override
  void warmUp() {
    List<EncodedExample> shortOne = List.of(warmUpInput(Math.min(16, maxLength())));
    List<EncodedExample> eight = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      eight.add(warmUpInput(Math.min(64, maxLength())));
    }
    for (LogitsReplica r : replicas) {
      for (int round = 0; round < 3; round++) {
        r.run(shortOne);
        r.run(eight);
      }
    }
  }

  private EncodedExample warmUpInput(int length) {
    Encoding e = tokenizer.encode(warmUpText(length), null, EncodeOptions.truncatedTo(length));
    return EncodedExample.unlabelled(e.inputIds(), e.typeIds());
  }

  @Override
  ObjectNode modelType() {
    ObjectNode type = Json.MAPPER.createObjectNode();
    ObjectNode block = type.putObject(kind().id());
    ObjectNode id2label = block.putObject("id2label");
    ObjectNode label2id = block.putObject("label2id");
    for (int i = 0; i < outputLabels.size(); i++) {
      id2label.put(Integer.toString(i), outputLabels.get(i));
      label2id.put(outputLabels.get(i), i);
    }
    return type;
  }

  @Override
  ObjectNode details() {
    ObjectNode d = Json.MAPPER.createObjectNode();
    d.put("task", settings().task().id());
    d.put("context", settings().contextSegment());
    d.put("text_pair", settings().task() == Task.PAIR);
    HandOff h = savedHandOff();
    d.put("temperature", settings().temperature());
    if (h != null) {
      d.putObject("handoff").put("threshold", h.threshold()).put("label", h.handOffLabel()).put("detector", h.detector().id());
    } else {
      d.putNull("handoff");
    }
    return d;
  }

  @Override
  public void close() {
    super.close();
    model.close();
  }

  /** One replica: forward passes over encoded inputs, logits out (and the feature detector's hand-off flag). */
  static final class LogitsReplica implements Replica<EncodedExample> {
    private final BertForSequenceClassification model;
    private final int padId;
    private final boolean ownsModel;
    private final OodDetector detector;
    private final HandOff handOff;

    LogitsReplica(BertForSequenceClassification model, int padId, boolean ownsModel, OodDetector detector, HandOff handOff) {
      this.model = model;
      this.padId = padId;
      this.ownsModel = ownsModel;
      this.detector = detector;
      this.handOff = handOff;
    }

    @Override
    public float[][] run(List<EncodedExample> inputs) {
      if (detector == null) {
        return Inference.logits(model, inputs, padId, inputs.size());
      }
      // the features stay on this thread: only the decision travels, exact at the saved threshold
      Inference.Outputs out = Inference.outputs(model, inputs, padId, inputs.size(), true);
      float[][] rows = new float[inputs.size()][];
      for (int i = 0; i < rows.length; i++) {
        float[] logits = out.logits()[i];
        rows[i] = Arrays.copyOf(logits, logits.length + 1);
        rows[i][logits.length] = handOff.handsOff(detector.score(logits, out.features()[i])) ? 1f : 0f;
      }
      return rows;
    }

    @Override
    public void close() {
      if (ownsModel) {
        model.close(); // a replica's own buffers; the first model is closed with its FineTunedModel
      }
    }
  }
}
