package dev.jbert.finetune.model;

import dev.jbert.core.Backend;
import dev.jbert.core.BertConfig;
import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.finetune.encode.TextEncoder;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A fine-tuned model folder loaded for evaluation or prediction: the model (FLOAT, eval mode), its
 * tokenizer, its labels and the {@link TaskSettings} that say how to encode input. Not thread-safe
 * (the model's buffers are shared); see {@link dev.jbert.finetune.predict.Predictor} for a
 * synchronised front.
 */
public final class FineTunedModel implements AutoCloseable {

  private final Path dir;
  private final BertForSequenceClassification model;
  private final TaskSettings settings;
  private final LabelMap labels;
  private final TextEncoder encoder;

  private FineTunedModel(Path dir, BertForSequenceClassification model, TaskSettings settings, TextEncoder encoder) {
    this.dir = dir;
    this.model = model;
    this.settings = settings;
    this.labels = settings.task().isRegression() ? null : LabelMap.inIdOrder(model.config().labels());
    this.encoder = encoder;
  }

  /**
   * Loads a model folder written by fine-tuning (or any Hugging Face sequence classifier).
   *
   * @throws CheckpointException when the folder has no trained classification head (a base model's
   *     {@code architectures} are refused before any weight is read)
   */
  public static FineTunedModel load(Path dir) throws IOException {
    Backend.init();
    BertConfig config = BertConfig.load(dir.resolve("config.json"));
    if (!config.architectures().isEmpty() && !config.architectures().contains(ModelLoader.CLASSIFIER_ARCHITECTURE)) {
      // Refused before loading: loading would first warn that the head is new ("You should probably TRAIN this model").
      throw new CheckpointException(dir, "has no trained classification head: its config.json names "
          + config.architectures() + ", not " + ModelLoader.CLASSIFIER_ARCHITECTURE + "; fine-tune it first");
    }
    TaskSettings settings = TaskSettings.read(config);
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(dir);
    ModelFolderCheck.check(dir, config, tokenizer);
    BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT, config);
    if (model.loadReport().missingKeys().stream().anyMatch(k -> k.startsWith("classifier."))) {
      model.close();
      throw new CheckpointException(dir, "has no trained classification head (classifier.* is missing); fine-tune it first");
    }
    model.eval();
    model.setGradEnabled(false);
    int maxLength = settings.maxLength() > 0 ? settings.maxLength() : TextEncoder.defaultMaxLength(config, tokenizer);
    return new FineTunedModel(dir, model, settings, new TextEncoder(tokenizer, maxLength, settings.contextSegment()));
  }

  /** The folder it was loaded from. */
  public Path dir() {
    return dir;
  }

  /** The classifier, in eval mode. */
  public BertForSequenceClassification model() {
    return model;
  }

  /** Task, context segment, length limit and hand-off saved with the model. */
  public TaskSettings settings() {
    return settings;
  }

  /** The head's labels, or null for a regression model. */
  public LabelMap labels() {
    return labels;
  }

  /** Encodes examples as the model was trained to read them. */
  public TextEncoder encoder() {
    return encoder;
  }

  @Override
  public void close() {
    model.close();
  }
}
