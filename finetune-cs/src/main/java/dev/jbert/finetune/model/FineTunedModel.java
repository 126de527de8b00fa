package dev.jbert.finetune.model;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.backend.Backend;
import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.finetune.encode.TextEncoder;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.ood.DetectorFile;
import dev.jbert.finetune.ood.DetectorKind;
import dev.jbert.finetune.ood.OodDetector;
import dev.jbert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A fine-tuned model folder loaded for evaluation or prediction: the model (FLOAT, eval mode), its
 * tokenizer, its labels, the {@link TaskSettings} that say how to encode input and how sure it is
 * (calibration temperature, hand-off), and its out-of-scope detectors. Not thread-safe
 * (the model's buffers are shared); see {@link dev.jbert.finetune.predict.Predictor} for a
 * synchronised front.
 */
public final class FineTunedModel implements AutoCloseable {

  private final Path dir;
  private final BertForSequenceClassification model;
  private final TaskSettings settings;
  private final LabelMap labels;
  private final TextEncoder encoder;
  private final Map<DetectorKind, OodDetector> detectors;

  private FineTunedModel(Path dir, BertForSequenceClassification model, TaskSettings settings, TextEncoder encoder,
      Map<DetectorKind, OodDetector> detectors) {
    this.dir = dir;
    this.detectors = Map.copyOf(detectors);
    this.model = model;
    this.settings = settings;
    this.labels = settings.task().isRegression() ? null : LabelMap.inIdOrder(model.config().labels());
    this.encoder = encoder;
  }

  /**
   * Loads a model folder written by fine-tuning (or any Hugging Face sequence classifier). The
   * tokenizer loads on a second thread; where the weights are in before it, one forward pass of eight
   * tokens runs meanwhile, so that the first answer finds the kernels compiled and, for a model small
   * enough for the packed batch-1 products, the weights packed (for all-MiniLM-L6-v2 a 42 MB copy that
   * the first short answer would otherwise make).
   *
   * @throws CheckpointException when the folder has no trained classification head (a base model's
   *     {@code architectures} are refused before any weight is read), or its {@code config.json} is
   *     one jbert cannot serve ({@link TaskSettings#read})
   */
  public static FineTunedModel load(Path dir) throws IOException {
    BertConfig config = BertConfig.load(dir.resolve("config.json"));
    if (!config.architectures().isEmpty() && !config.architectures().contains(ModelLoader.CLASSIFIER_ARCHITECTURE)) {
      // Refused before loading: loading would first warn that the head is new ("You should probably TRAIN this model").
      throw new CheckpointException(dir, "has no trained classification head: its config.json names "
          + config.architectures() + ", not " + ModelLoader.CLASSIFIER_ARCHITECTURE + "; fine-tune it first");
    }
    TaskSettings settings;
    try {
      settings = TaskSettings.read(config);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(dir, e.getMessage());
    }
    // The tokenizer (tokenizer.json parsed, vocab.txt compared: about a quarter of a second) loads on
    // a second thread while ND4J and the weights load on this one.
    FutureTask<BertTokenizer> tokenizer = new FutureTask<>(() -> {
      BertTokenizer loaded = BertTokenizer.fromPretrained(dir);
      ModelFolderCheck.check(dir, config, loaded);
      return loaded;
    });
    Thread loader = new Thread(tokenizer, "jbert-tokenizer-load");
    loader.setDaemon(true);
    loader.start();
    Backend.init();
    BertForSequenceClassification model;
    try {
      model = BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT, config);
    } catch (IOException | RuntimeException e) {
      loaded(tokenizer, dir);            // a tokenizer that does not fit is reported first, as when it loaded first
      throw e;
    }
    try {
      model.eval();
      model.setGradEnabled(false);
      boolean headMissing = model.loadReport().missingKeys().stream().anyMatch(k -> k.startsWith("classifier."));
      if (!headMissing && !tokenizer.isDone()) {
        warmUp(model);
      }
      BertTokenizer loaded = loaded(tokenizer, dir);
      if (headMissing) {
        throw new CheckpointException(dir, "has no trained classification head (classifier.* is missing); fine-tune it first");
      }
      int maxLength = settings.maxLength() > 0 ? settings.maxLength() : TextEncoder.defaultMaxLength(config, loaded);
      TextEncoder encoder = new TextEncoder(loaded, maxLength, settings.contextSegment());
      return new FineTunedModel(dir, model, settings, encoder, DetectorFile.load(dir, settings.temperature()));
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * One forward pass of eight tokens, run while the tokenizer is still loading: it packs the weights
   * for batch-1 products and has the JIT compile the kernels, work the first answer would otherwise
   * wait for.
   */
  private static void warmUp(BertForSequenceClassification model) {
    model.forward(new int[][] {new int[8]}, null, null);
  }

  /** The tokenizer that {@code task} loaded, or what it threw. */
  private static BertTokenizer loaded(FutureTask<BertTokenizer> task, Path dir) throws IOException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the tokenizer of " + dir + " loaded");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error er) {
        throw er;
      }
      throw new IllegalStateException(cause);
    }
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

  /**
   * The out-of-scope detectors this folder can use: softmax and energy always (at the model's
   * temperature), Mahalanobis and kNN when training fitted them ({@value DetectorFile#FILE_NAME}).
   */
  public Map<DetectorKind, OodDetector> detectors() {
    return detectors;
  }

  /**
   * The detector of {@code kind}.
   *
   * @throws IllegalArgumentException when the folder has no fitted detector of that kind
   */
  public OodDetector detector(DetectorKind kind) {
    OodDetector d = detectors.get(kind);
    if (d == null) {
      throw new IllegalArgumentException(dir + " has no fitted " + kind.id() + " detector (" + DetectorFile.FILE_NAME
          + "); train it with an out-of-scope detector (jbert train --ood-detector) to fit one");
    }
    return d;
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
