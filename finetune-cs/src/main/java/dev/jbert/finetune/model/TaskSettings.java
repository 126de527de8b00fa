package dev.jbert.finetune.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.BertConfig;

/**
 * How a fine-tuned model expects its input and answers, kept in its {@code config.json} under the key
 * {@value #KEY} so that {@code jbert eval} and {@code jbert predict} encode messages exactly as
 * training did. Hugging Face {@code transformers} keeps unknown config keys as plain attributes, so
 * the file still loads there.
 *
 * <pre>
 * "jbert": {"task": "intent", "context_segment": true, "max_length": 128,
 *           "handoff_threshold": 0.62, "handoff_label": "transfer_to_agent"}
 * </pre>
 *
 * @param task what the head was trained for
 * @param contextSegment true when earlier turns go into segment A and the message into segment B
 *     (the model was trained with a context column); false for plain {@code [CLS] text [SEP]}
 * @param maxLength the token limit used in training, special tokens included; 0 when unknown
 * @param handOff the confidence threshold and hand-off label picked for this model, or null
 */
public record TaskSettings(Task task, boolean contextSegment, int maxLength, HandOff handOff) {

  /** The {@code config.json} key of the block. */
  public static final String KEY = "jbert";

  public TaskSettings {
    if (task == null) {
      throw new IllegalArgumentException("task must be set");
    }
    if (maxLength < 0) {
      throw new IllegalArgumentException("max length must be >= 0 (0 = unknown), got " + maxLength);
    }
  }

  /**
   * The settings stored in {@code config}; a config without the block (any Hugging Face checkpoint)
   * gives the task its {@code problem_type} implies, no context segment, unknown length, no hand-off.
   */
  public static TaskSettings read(BertConfig config) {
    JsonNode block = config.toJson().get(KEY);
    Task implied = config.effectiveProblemType().equals("regression") ? Task.REGRESSION : Task.INTENT;
    if (block == null || !block.isObject()) {
      return new TaskSettings(implied, false, 0, null);
    }
    Task task = block.hasNonNull("task") ? Task.of(block.get("task").asText()) : implied;
    HandOff handOff = null;
    if (block.hasNonNull("handoff_threshold")) {
      handOff = new HandOff(block.get("handoff_threshold").asDouble(),
          block.path("handoff_label").asText(HandOff.TRANSFER_TO_AGENT));
    }
    return new TaskSettings(task, block.path("context_segment").asBoolean(false), block.path("max_length").asInt(0), handOff);
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
    }
    return BertConfig.fromJson(json);
  }

  /** The same settings with another hand-off (null for none). */
  public TaskSettings withHandOff(HandOff value) {
    return new TaskSettings(task, contextSegment, maxLength, value);
  }
}
