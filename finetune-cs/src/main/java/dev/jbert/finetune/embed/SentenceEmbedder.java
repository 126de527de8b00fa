package dev.jbert.finetune.embed;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.core.BertModel;
import dev.jbert.core.TokenBatch;
import dev.jbert.core.backend.Backend;
import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.ModelFolderCheck;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Sentence embeddings from any BERT model folder, as sentence-transformers and text-embeddings-inference
 * make them: the encoder's last hidden states, pooled ({@link Pooling}) and optionally scaled to unit
 * length.
 *
 * <p>The pooling and normalisation default to what the folder says in sentence-transformers' layout:
 * {@code 1_Pooling/config.json} ({@code pooling_mode_cls_token}, {@code pooling_mode_mean_tokens},
 * {@code pooling_mode_max_tokens}) and a {@code sentence_transformers.models.Normalize} entry in
 * {@code modules.json}; a folder without them gets mean pooling, not normalised.
 *
 * <pre>{@code
 * try (SentenceEmbedder embedder = SentenceEmbedder.load(Path.of("../shared/models/all-MiniLM-L6-v2"))) {
 *   float[] v = embedder.embed("My card still hasn't arrived.");
 * }
 * }</pre>
 *
 * <p>Inputs are truncated {@code longest_first} to {@link #maxLength()} tokens, sorted by length and
 * padded per batch; results come back in input order. Thread-safe: calls are serialised, because
 * they share the model's buffers.
 */
public final class SentenceEmbedder implements AutoCloseable {

  /** Inputs per forward pass unless given. */
  public static final int DEFAULT_BATCH_SIZE = 32;

  /** The default truncation length, BERT's longest, capped by the model's position table. */
  public static final int DEFAULT_MAX_LENGTH = 512;

  /** Batches are right-padded to a multiple of this, so fewer shapes pass through the model. */
  private static final int PAD_MULTIPLE = 8;

  private final BertModel model;
  private final BertTokenizer tokenizer;
  private final Pooling pooling;
  private final boolean normalize;
  private final int maxLength;
  private final int batchSize;

  private SentenceEmbedder(BertModel model, BertTokenizer tokenizer, Pooling pooling, boolean normalize, int maxLength,
      int batchSize) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.pooling = pooling;
    this.normalize = normalize;
    this.maxLength = maxLength;
    this.batchSize = batchSize;
  }

  /** Loads {@code dir} with the folder's pooling and normalisation, 512 tokens at most, batches of 32. */
  public static SentenceEmbedder load(Path dir) throws IOException {
    return load(dir, null, null, null, DEFAULT_BATCH_SIZE);
  }

  /**
   * Loads {@code dir}, overriding what is given.
   *
   * @param pooling the pooling, or null for the folder's
   * @param normalize whether to scale to unit length, or null for the folder's
   * @param maxLength tokens kept per input, special tokens included, in [2, max_position_embeddings];
   *     null for {@value #DEFAULT_MAX_LENGTH} or the model's limit if smaller
   * @param batchSize inputs per forward pass, at least 1
   * @throws IOException for an unreadable folder or pooling configuration, naming the file
   */
  public static SentenceEmbedder load(Path dir, Pooling pooling, Boolean normalize, Integer maxLength, int batchSize)
      throws IOException {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    Pooling folderPooling = folderPooling(dir);
    boolean folderNormalize = folderNormalizes(dir);
    Backend.init();
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(dir);
    ModelFolderCheck.check(dir, BertConfig.load(dir.resolve("config.json")), tokenizer);
    BertModel model = BertModel.fromPretrained(dir, DataType.FLOAT, false);
    int positions = model.config().maxPositionEmbeddings();
    int length = maxLength != null ? maxLength : Math.min(DEFAULT_MAX_LENGTH, positions);
    if (length < 2 || length > positions) {
      model.close();
      throw new IllegalArgumentException("max length must be in [2, " + positions + "] (the model's "
          + "max_position_embeddings), got " + length);
    }
    model.eval();
    model.setGradEnabled(false);
    return new SentenceEmbedder(model, tokenizer, pooling != null ? pooling : folderPooling,
        normalize != null ? normalize : folderNormalize, length, batchSize);
  }

  /** The pooling named in {@code 1_Pooling/config.json}, or mean when the file is absent. */
  static Pooling folderPooling(Path dir) throws IOException {
    Path file = dir.resolve("1_Pooling").resolve("config.json");
    if (!Files.isRegularFile(file)) {
      return Pooling.MEAN;
    }
    JsonNode config = readJson(file);
    List<Pooling> modes = new ArrayList<>();
    if (config.path("pooling_mode_cls_token").asBoolean(false)) {
      modes.add(Pooling.CLS);
    }
    if (config.path("pooling_mode_mean_tokens").asBoolean(false)) {
      modes.add(Pooling.MEAN);
    }
    if (config.path("pooling_mode_max_tokens").asBoolean(false)) {
      modes.add(Pooling.MAX);
    }
    if (modes.size() != 1) {
      throw new CheckpointException(file, "names " + (modes.isEmpty() ? "no" : modes.size()) + " pooling modes; jbert"
          + " reads exactly one of pooling_mode_cls_token, pooling_mode_mean_tokens, pooling_mode_max_tokens");
    }
    return modes.get(0);
  }

  /** Whether {@code modules.json} lists sentence-transformers' Normalize module. */
  static boolean folderNormalizes(Path dir) throws IOException {
    Path file = dir.resolve("modules.json");
    if (!Files.isRegularFile(file)) {
      return false;
    }
    JsonNode modules = readJson(file);
    if (!modules.isArray()) {
      throw new CheckpointException(file, "is not a JSON array of modules");
    }
    for (JsonNode module : modules) {
      if (module.path("type").asText("").endsWith(".Normalize")) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode readJson(Path file) throws IOException {
    try {
      return Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointException(file, "is not valid JSON: " + e.getMessage());
    }
  }

  /**
   * A second embedder over the same weights and settings, for serving from several threads: the
   * encoder's parameters are shared read-only ({@link BertModel#replica()}), the replica has its own
   * activation buffers and lock, so the two embed at the same time. Closing a replica frees only its
   * buffers.
   */
  public SentenceEmbedder replica() {
    return new SentenceEmbedder(model.replica(), tokenizer, pooling, normalize, maxLength, batchSize);
  }

  /** The pooling in use. */
  public Pooling pooling() {
    return pooling;
  }

  /** Whether embeddings are scaled to unit length. */
  public boolean normalizes() {
    return normalize;
  }

  /** Tokens kept per input, special tokens included. */
  public int maxLength() {
    return maxLength;
  }

  /** The embedding size ({@code hidden_size}). */
  public int dimension() {
    return model.config().hiddenSize();
  }

  /** The tokenizer of the model folder. */
  public BertTokenizer tokenizer() {
    return tokenizer;
  }

  /** How {@link #encode} truncates. */
  public EncodeOptions encodeOptions() {
    return EncodeOptions.truncatedTo(maxLength);
  }

  /** One text's tokens, truncated to {@link #maxLength()}. */
  public Encoding encode(String text) {
    return tokenizer.encode(text, null, encodeOptions());
  }

  /** The embedding of one text. */
  public float[] embed(String text) {
    return embedAll(List.of(text))[0];
  }

  /** The embedding of each text, in order. */
  public float[][] embedAll(List<String> texts) {
    List<Encoding> encodings = new ArrayList<>(texts.size());
    for (String text : texts) {
      encodings.add(encode(text));
    }
    return embedEncodings(encodings);
  }

  /** The embedding of each already tokenized input (e.g. a text pair), in order. */
  public float[][] embedEncodings(List<Encoding> inputs) {
    float[][][] hidden = hiddenStates(inputs);
    float[][] out = new float[hidden.length][];
    for (int i = 0; i < hidden.length; i++) {
      out[i] = pooling.pool(hidden[i]);
      if (normalize) {
        Pooling.normalize(out[i]);
      }
    }
    return out;
  }

  /**
   * Each input's last hidden states at its real tokens, {@code [tokens][hidden]}, in input order
   * (no pooling).
   */
  public synchronized float[][][] hiddenStates(List<Encoding> inputs) {
    for (int i = 0; i < inputs.size(); i++) {
      int length = inputs.get(i).length();
      if (length == 0 || length > model.config().maxPositionEmbeddings()) {
        throw new IllegalArgumentException("input " + (i + 1) + " has " + length + " tokens; the model reads 1 to "
            + model.config().maxPositionEmbeddings());
      }
    }
    Integer[] order = new Integer[inputs.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> inputs.get(i).length()));
    float[][][] out = new float[inputs.size()][][];
    for (int from = 0; from < order.length; from += batchSize) {
      int to = Math.min(order.length, from + batchSize);
      List<Encoding> batch = new ArrayList<>(to - from);
      for (int k = from; k < to; k++) {
        batch.add(inputs.get(order[k]));
      }
      float[][][] hidden = forward(batch);
      for (int k = from; k < to; k++) {
        out[order[k]] = hidden[k - from];
      }
    }
    return out;
  }

  /** One padded forward pass; per input its real-token rows. */
  private float[][][] forward(List<Encoding> batch) {
    int longest = batch.stream().mapToInt(Encoding::length).max().orElseThrow();
    int seq = Math.min(model.config().maxPositionEmbeddings(), roundUp(longest, PAD_MULTIPLE));
    int n = batch.size();
    int[] ids = new int[n * seq];
    int[] types = new int[n * seq];
    int[] mask = new int[n * seq];
    Arrays.fill(ids, tokenizer.padId());
    for (int b = 0; b < n; b++) {
      Encoding e = batch.get(b);
      System.arraycopy(e.inputIds(), 0, ids, b * seq, e.length());
      System.arraycopy(e.typeIds(), 0, types, b * seq, e.length());
      Arrays.fill(mask, b * seq, b * seq + e.length(), 1);
    }
    // [batch, seq, hidden], copied out before the next forward reuses the buffer
    float[] flat = model.forward(new TokenBatch(n, seq, ids, types, mask)).lastHiddenState().reshape(-1).toFloatVector();
    int hidden = model.config().hiddenSize();
    float[][][] out = new float[n][][];
    for (int b = 0; b < n; b++) {
      out[b] = new float[batch.get(b).length()][];
      for (int t = 0; t < out[b].length; t++) {
        int start = (b * seq + t) * hidden;
        out[b][t] = Arrays.copyOfRange(flat, start, start + hidden);
      }
    }
    return out;
  }

  private static int roundUp(int value, int multiple) {
    return (value + multiple - 1) / multiple * multiple;
  }

  @Override
  public void close() {
    model.close();
  }
}
