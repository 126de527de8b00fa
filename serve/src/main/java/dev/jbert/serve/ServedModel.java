package dev.jbert.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.config.BertConfig;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.TaskSettings;
import dev.jbert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A loaded model with its replicas and batcher, as the routes see it.
 *
 * @param <I> what its batcher computes: one encoded input
 */
abstract class ServedModel<I> implements AutoCloseable {

  /** What a model answers. */
  enum Kind {
    /** Labels with probabilities: {@code /predict}, {@code /v1/classify}. */
    CLASSIFIER("classifier"),
    /** A score: {@code /predict}, {@code /v1/classify}. */
    REGRESSOR("regression"),
    /** Sentence embeddings: {@code /embed}, {@code /v1/embeddings}. */
    EMBEDDER("embedding");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    String id() {
      return id;
    }

    /** The routes (under {@code /v1/models/NAME/}) a model of this kind answers. */
    List<String> routes() {
      return this == EMBEDDER ? List.of("embed", "embeddings", "tokenize", "info")
          : List.of("predict", "classify", "tokenize", "info");
    }
  }

  private final String name;
  private final Path dir;
  private Batcher<I> batcher;
  private double loadSeconds;
  private long createdEpochSeconds;

  ServedModel(String name, Path dir) {
    this.name = name;
    this.dir = dir;
  }

  /**
   * Whether {@code dir} holds a classification or regression head (its {@code config.json} names a
   * {@code ...ForSequenceClassification} architecture or carries jbert's task block); any other BERT
   * folder is served as an embedding model.
   */
  static boolean isClassifierFolder(Path dir) throws IOException {
    BertConfig config = BertConfig.load(dir.resolve("config.json"));
    return config.architectures().stream().anyMatch(a -> a.endsWith("ForSequenceClassification"))
        || config.toJson().has(TaskSettings.KEY);
  }

  /** Reads a JSON file of the model folder, or null when it does not exist. */
  static JsonNode readOptionalJson(Path file) throws IOException {
    return Files.isRegularFile(file) ? Json.MAPPER.readTree(file.toFile()) : null;
  }

  final String name() {
    return name;
  }

  final Path dir() {
    return dir;
  }

  abstract Kind kind();

  /** The routes (under {@code /v1/models/NAME/}) this model answers: its kind's. */
  List<String> routes() {
    return kind().routes();
  }

  abstract BertTokenizer tokenizer();

  /** The token count of one encoded input. */
  abstract int length(I input);

  /** Tokens an input may have, special tokens included. */
  abstract int maxLength();

  /** The replicas its batcher runs (the first holds the weights the others share). */
  abstract List<? extends Replica<I>> replicas();

  /** Runs each replica on a few shapes so that the first requests do not pay for JIT compilation. */
  abstract void warmUp();

  /** TEI's {@code model_type} block of {@code /info}. */
  abstract ObjectNode modelType();

  /** jbert's own block of {@code /info}: task, hand-off, pooling. */
  abstract ObjectNode details();

  /** Starts the batcher threads, one per replica; called once the model is warm. */
  final void startBatcher(ServeOptions options, Metrics metrics, BatchHook hook, double loadSeconds) {
    this.batcher = new Batcher<>(name, replicas(), this::length, options.maxBatchTokens(), options.maxBatchRequests(),
        metrics, hook);
    this.loadSeconds = loadSeconds;
    this.createdEpochSeconds = System.currentTimeMillis() / 1000;
    metrics.queue(name, batcher::queued);
    metrics.loaded(name, loadSeconds);
  }

  /** The batcher, once started. */
  final Batcher<I> batcher() {
    return batcher;
  }

  final double loadSeconds() {
    return loadSeconds;
  }

  final long createdEpochSeconds() {
    return createdEpochSeconds;
  }

  /** Stops the batcher after what is queued; see {@link Batcher#close()}. */
  final void stopBatcher() {
    if (batcher != null) {
      batcher.close();
    }
  }

  /** Waits for the batcher threads to end. */
  final boolean awaitBatcher(java.time.Duration timeout) throws InterruptedException {
    return batcher == null || batcher.awaitTermination(timeout);
  }

  /** Frees every replica. */
  @Override
  public void close() {
    for (Replica<I> r : replicas()) {
      r.close();
    }
  }

  /** An ASCII text of {@code length} tokens for warm-up: "warm warm ...". */
  static String warmUpText(int words) {
    return "warm ".repeat(Math.max(1, words));
  }
}
