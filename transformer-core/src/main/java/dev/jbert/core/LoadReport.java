package dev.jbert.core;

import java.nio.file.Path;
import java.util.List;

/**
 * What loading a checkpoint did, as Hugging Face reports it: parameters the checkpoint lacked
 * (newly initialised), checkpoint tensors the model did not use, and buffers skipped silently.
 *
 * @param modelClass e.g. {@code BertForSequenceClassification}
 * @param source the model directory
 * @param missingKeys model parameter names initialised fresh (pooler, classifier)
 * @param unexpectedKeys checkpoint names not used (e.g. {@code cls.*} pre-training heads)
 * @param ignoredKeys checkpoint names skipped without a warning ({@code position_ids} buffers)
 */
public record LoadReport(String modelClass, Path source, List<String> missingKeys, List<String> unexpectedKeys,
    List<String> ignoredKeys) {

  /** Copies the lists. */
  public LoadReport {
    missingKeys = List.copyOf(missingKeys);
    unexpectedKeys = List.copyOf(unexpectedKeys);
    ignoredKeys = List.copyOf(ignoredKeys);
  }

  /** Whether every parameter came from the checkpoint and every checkpoint tensor was used. */
  public boolean isClean() {
    return missingKeys.isEmpty() && unexpectedKeys.isEmpty();
  }

  /** Hugging Face's warning about unused checkpoint tensors, or null when there are none. */
  public String unexpectedWarning() {
    if (unexpectedKeys.isEmpty()) {
      return null;
    }
    return "Some weights of the model checkpoint at " + source + " were not used when initializing " + modelClass
        + ": " + unexpectedKeys + "\n- This IS expected if you are initializing " + modelClass
        + " from the checkpoint of a model trained on another task or with another architecture.";
  }

  /** Hugging Face's warning about newly initialised parameters, or null when there are none. */
  public String missingWarning() {
    if (missingKeys.isEmpty()) {
      return null;
    }
    return "Some weights of " + modelClass + " were not initialized from the model checkpoint at " + source
        + " and are newly initialized: " + missingKeys
        + "\nYou should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.";
  }
}
