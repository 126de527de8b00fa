package dev.jbert.finetune.model;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.config.BertConfig;
import dev.jbert.finetune.labels.LabelMap;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Loads a checkpoint for fine-tuning with the head the data needs.
 *
 * <p>Three cases, as Hugging Face's {@code from_pretrained(..., num_labels=n,
 * ignore_mismatched_sizes=True)} behaves:
 *
 * <ul>
 *   <li>a base checkpoint (no classification head): encoder loaded, head new (N(0,
 *       initializer_range), bias 0);
 *   <li>a classifier whose {@code id2label} is exactly the new labels: everything loaded, training
 *       continues from its head;
 *   <li>a classifier with other labels: encoder loaded, head new.
 * </ul>
 */
public final class ModelLoader {

  /** The architecture name of checkpoints that carry a sequence-classification head. */
  public static final String CLASSIFIER_ARCHITECTURE = "BertForSequenceClassification";

  private static final String HEAD_PREFIX = "classifier.";

  private ModelLoader() {}

  /** The labels of the checkpoint's head when it has one (its {@code id2label}), else null. */
  public static LabelMap headLabels(BertConfig config) {
    return config.architectures().contains(CLASSIFIER_ARCHITECTURE) ? LabelMap.inIdOrder(config.labels()) : null;
  }

  /**
   * The checkpoint in {@code dir} as a FLOAT model of configuration {@code target} (the
   * checkpoint's own config with new labels, problem type, dropout and task settings).
   */
  public static BertForSequenceClassification forFineTuning(Path dir, BertConfig target) throws IOException {
    BertConfig source = BertConfig.load(dir.resolve("config.json"));
    if (!source.architectures().contains(CLASSIFIER_ARCHITECTURE) || source.labels().equals(target.labels())) {
      return BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT, target);
    }
    // The checkpoint's head has other classes (and maybe another shape): the loader cannot skip
    // mismatched tensors, so load the checkpoint as saved and move its encoder into a model with a new head.
    try (BertForSequenceClassification saved = BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT, source)) {
      BertForSequenceClassification fresh = new BertForSequenceClassification(target, DataType.FLOAT);
      for (String name : fresh.parameters().names()) {
        if (!name.startsWith(HEAD_PREFIX)) {
          fresh.parameters().value(name).assign(saved.parameters().value(name));
        }
      }
      fresh.parameters().changed();
      return fresh;
    }
  }
}
