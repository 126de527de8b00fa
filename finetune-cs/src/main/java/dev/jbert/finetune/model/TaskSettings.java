package dev.jbert.finetune.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.config.BertConfig;
import dev.jbert.finetune.calibrate.TemperatureScaling;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.ood.DetectorKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * How a fine-tuned model expects its input and answers, kept in its {@code config.json} under the key
 * {@value #KEY} so that {@code jbert eval} and {@code jbert predict} encode messages exactly as
 * training did and read the same columns. Hugging Face {@code transformers} keeps unknown config keys
 * as plain attributes, so the file still loads there.
 *
 * <pre>
 * "jbert": {"task": "intent", "context_segment": true, "max_length": 128,
 *           "handoff_threshold": 0.62, "handoff_label": "transfer_to_agent",
 *           "text_column": "text", "context_column": "turns", "label_column": "intent",
 *           "temperature": 1.42, "handoff_detector": "mahalanobis",
 *           "ood_thresholds": {"softmax": 0.41, "energy": 6.3, "mahalanobis": -412.7, "knn": -0.18}}
 * </pre>
 *
 * A folder saved before calibration and detectors has no {@code temperature} (read as 1), no
 * {@code handoff_detector} (the softmax one) and no {@code ood_thresholds} (none).
 *
 * @param task what the head was trained for
 * @param contextSegment true when earlier turns go into segment A and the message into segment B
 *     (the model was trained with a context column); false for plain {@code [CLS] text [SEP]}
 * @param maxLength the token limit used in training, special tokens included; 0 when unknown
 * @param handOff the confidence threshold and hand-off label picked for this model, or null
 * @param columns the columns the training data was read from; {@link Columns#UNKNOWN} when not saved
 * @param temperature the calibration temperature: probabilities are {@code softmax(logits / T)}; 1 = none
 * @param oodThresholds the threshold picked on validation data for each fitted out-of-scope detector;
 *     empty when none was fitted
 */
public record TaskSettings(Task task, boolean contextSegment, int maxLength, HandOff handOff, Columns columns,
    double temperature, Map<DetectorKind, Double> oodThresholds) {

  /** The {@code config.json} key of the block. */
  public static final String KEY = "jbert";

  /**
   * The CSV/TSV columns (or JSON Lines fields) the model's training data was read from, so that
   * evaluation and prediction read the same ones without being told again. Each is null when unknown
   * or not used (no pair, no earlier turns).
   *
   * @param text the message
   * @param pair the candidate reply (segment B of a pair model)
   * @param context the earlier turns
   * @param label the class label, or the score of a regression model
   */
  public record Columns(String text, String pair, String context, String label) {

    /** Nothing saved (a model trained before column names were kept, or any Hugging Face checkpoint). */
    public static final Columns UNKNOWN = new Columns(null, null, null, null);

    /** The columns {@code options} reads. */
    public static Columns of(ReadOptions options) {
      return new Columns(options.textColumn(), options.pairColumn(), options.contextColumn(), options.labelColumn());
    }
  }

  public TaskSettings {
    if (task == null) {
      throw new IllegalArgumentException("task must be set");
    }
    if (maxLength < 0) {
      throw new IllegalArgumentException("max length must be >= 0 (0 = unknown), got " + maxLength);
    }
    columns = columns == null ? Columns.UNKNOWN : columns;
    TemperatureScaling.requireValid(temperature);
    oodThresholds = oodThresholds == null || oodThresholds.isEmpty() ? Map.of()
        : Collections.unmodifiableMap(new EnumMap<>(oodThresholds));
  }

  /** Settings without calibration or out-of-scope detectors. */
  public TaskSettings(Task task, boolean contextSegment, int maxLength, HandOff handOff, Columns columns) {
    this(task, contextSegment, maxLength, handOff, columns, 1.0, Map.of());
  }

  /** Settings without saved column names. */
  public TaskSettings(Task task, boolean contextSegment, int maxLength, HandOff handOff) {
    this(task, contextSegment, maxLength, handOff, Columns.UNKNOWN);
  }

  /**
   * The settings stored in {@code config}; a config without the block (any Hugging Face checkpoint)
   * gives the task its {@code problem_type} implies, no context segment, unknown length, no hand-off,
   * no column names.
   *
   * @throws IllegalArgumentException for a multi-label classifier (Hugging Face's {@code problem_type
   *     multi_label_classification}, one sigmoid per label), whose scores jbert's single-label
   *     classifiers would read wrong, and for a block jbert cannot read
   */
  public static TaskSettings read(BertConfig config) {
    if (config.effectiveProblemType().equals("multi_label_classification")) {
      throw new IllegalArgumentException("config.json's problem_type is multi_label_classification (one sigmoid per"
          + " label); jbert's classifiers are single-label (a softmax over the labels) and would read this model's"
          + " scores wrong");
    }
    JsonNode block = config.toJson().get(KEY);
    Task implied = config.effectiveProblemType().equals("regression") ? Task.REGRESSION : Task.INTENT;
    if (block == null || !block.isObject()) {
      return new TaskSettings(implied, false, 0, null);
    }
    Task task = block.hasNonNull("task") ? Task.of(block.get("task").asText()) : implied;
    HandOff handOff = null;
    if (block.hasNonNull("handoff_threshold")) {
      DetectorKind detector = block.hasNonNull("handoff_detector") ? DetectorKind.of(block.get("handoff_detector").asText())
          : DetectorKind.SOFTMAX;
      handOff = new HandOff(block.get("handoff_threshold").asDouble(),
          block.path("handoff_label").asText(HandOff.TRANSFER_TO_AGENT), detector);
    }
    Columns columns = new Columns(text(block, "text_column"), text(block, "pair_column"), text(block, "context_column"),
        text(block, "label_column"));
    Map<DetectorKind, Double> thresholds = new EnumMap<>(DetectorKind.class);
    JsonNode saved = block.path("ood_thresholds");
    for (Iterator<Map.Entry<String, JsonNode>> it = saved.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      thresholds.put(DetectorKind.of(e.getKey()), e.getValue().asDouble());
    }
    return new TaskSettings(task, block.path("context_segment").asBoolean(false), block.path("max_length").asInt(0), handOff,
        columns, block.path("temperature").asDouble(1.0), thresholds);
  }

  private static String text(JsonNode block, String key) {
    return block.hasNonNull(key) ? block.get(key).asText() : null;
  }

  /** A copy of {@code config} carrying these settings. */
  public BertConfig writeTo(BertConfig config) {
    ObjectNode json = config.toJson();
    ObjectNode block = json.putObject(KEY);
    block.put("task", task.id());
    block.put("context_segment", contextSegment);
    block.put("max_length", maxLength);
    if (handOff != null) {
      block.put("handoff_threshold", handOff.threshold());
      block.put("handoff_label", handOff.handOffLabel());
      if (handOff.detector() != DetectorKind.SOFTMAX) {
        block.put("handoff_detector", handOff.detector().id()); // absent = softmax, as in folders saved before detectors
      }
    }
    putIfSet(block, "text_column", columns.text());
    putIfSet(block, "pair_column", columns.pair());
    putIfSet(block, "context_column", columns.context());
    putIfSet(block, "label_column", columns.label());
    if (temperature != 1.0) {
      block.put("temperature", temperature);
    }
    if (!oodThresholds.isEmpty()) {
      ObjectNode thresholds = block.putObject("ood_thresholds");
      oodThresholds.forEach((kind, t) -> thresholds.put(kind.id(), t));
    }
    return BertConfig.fromJson(json);
  }

  private static void putIfSet(ObjectNode block, String key, String value) {
    if (value != null) {
      block.put(key, value);
    }
  }

  /** The same settings with another hand-off (null for none). */
  public TaskSettings withHandOff(HandOff value) {
    return new TaskSettings(task, contextSegment, maxLength, value, columns, temperature, oodThresholds);
  }

  /** The same settings with other column names. */
  public TaskSettings withColumns(Columns value) {
    return new TaskSettings(task, contextSegment, maxLength, handOff, value, temperature, oodThresholds);
  }

  /** The same settings with another calibration temperature (1 = none). */
  public TaskSettings withTemperature(double value) {
    return new TaskSettings(task, contextSegment, maxLength, handOff, columns, value, oodThresholds);
  }

  /** The same settings with other detector thresholds (empty = none fitted). */
  public TaskSettings withOodThresholds(Map<DetectorKind, Double> value) {
    return new TaskSettings(task, contextSegment, maxLength, handOff, columns, temperature, value);
  }
}
