package dev.jbert.spark;

import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.encode.TextEncoder;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Inference;
import dev.jbert.finetune.model.TaskSettings;
import dev.jbert.tokenizer.BertTokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * One loaded copy of a fine-tuned model with the encoder a {@link JbertClassifier} asked for: the
 * model's own (the length it was trained with, as {@code Predictor} uses) or the same encoding cut to
 * another length. Not thread-safe; {@link ModelPool} lends it to one task at a time.
 */
final class LoadedClassifier implements AutoCloseable {

  private final FineTunedModel model;
  private final TextEncoder encoder;

  private LoadedClassifier(FineTunedModel model, TextEncoder encoder) {
    this.model = model;
    this.encoder = encoder;
  }

  /**
   * Loads {@code dir}.
   *
   * @param maxLength tokens kept per input, or null for the length the model was trained with
   */
  static LoadedClassifier load(Path dir, Integer maxLength) throws Exception {
    FineTunedModel model = FineTunedModel.load(dir);
    try {
      if (maxLength == null) {
        return new LoadedClassifier(model, model.encoder());
      }
      int positions = model.model().config().maxPositionEmbeddings();
      if (maxLength > positions) {
        throw new IllegalArgumentException("maxLength " + maxLength + " is longer than the model " + dir
            + " reads (max_position_embeddings " + positions + ")");
      }
      TextEncoder encoder = new TextEncoder(BertTokenizer.fromPretrained(dir), maxLength, model.settings().contextSegment());
      return new LoadedClassifier(model, encoder);
    } catch (Exception | Error e) {
      model.close();
      throw e;
    }
  }

  FineTunedModel model() {
    return model;
  }

  TaskSettings settings() {
    return model.settings();
  }

  /**
   * How inputs are encoded for this copy; immutable and thread-safe, so tasks encode their rows
   * before they borrow a copy, and a shared copy runs only forward passes.
   */
  TextEncoder encoder() {
    return encoder;
  }

  /** The head's outputs for each encoded input, in order, {@code batchSize} per forward pass (sorted by length). */
  float[][] logits(List<EncodedExample> inputs, int batchSize) {
    if (inputs.isEmpty()) {
      return new float[0][];
    }
    return Inference.logits(model.model(), inputs, encoder.padId(), batchSize);
  }

  @Override
  public void close() {
    model.close();
  }
}
