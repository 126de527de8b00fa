package dev.jbert.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.core.io.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A Hugging Face {@code BertConfig}: read from and written to {@code config.json}.
 *
 * <p>Missing keys take Hugging Face's defaults. {@code num_labels} is the size of {@code id2label}
 * (configs saved by {@code transformers} carry no {@code num_labels}); without labels there are two,
 * {@code LABEL_0} and {@code LABEL_1}. Keys this class does not model are kept and written back
 * unchanged. Instances are immutable; the {@code with*} methods return modified copies.
 */
public final class BertConfig {

  /** The config key of {@link #classifierPooling()}. */
  public static final String CLASSIFIER_POOLING_KEY = "classifier_pooling";

  /** {@link #classifierPooling()}: the [CLS] vector through the pooler, as Hugging Face. */
  public static final String POOLER = "pooler";

  /** {@link #classifierPooling()}: the mean of the token vectors over the mask, as sentence-transformers' Pooling. */
  public static final String MEAN = "mean";

  /** {@link #classifierPooling()}: the unit-length mean of the token vectors, as sentence-transformers. */
  public static final String NORMALIZED_MEAN = "normalized_mean";

  /** The values {@link #classifierPooling()} may take. */
  public static final List<String> CLASSIFIER_POOLINGS = List.of(POOLER, MEAN, NORMALIZED_MEAN);

  /** Activations {@code hidden_act} may name. */
  public static final List<String> SUPPORTED_ACTIVATIONS = List.of("gelu", "gelu_new", "gelu_pytorch_tanh", "relu");

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final int vocabSize;
  private final int hiddenSize;
  private final int numHiddenLayers;
  private final int numAttentionHeads;
  private final int intermediateSize;
  private final String hiddenAct;
  private final double hiddenDropoutProb;
  private final double attentionProbsDropoutProb;
  private final int maxPositionEmbeddings;
  private final int typeVocabSize;
  private final double initializerRange;
  private final double layerNormEps;
  private final int padTokenId;
  private final String positionEmbeddingType;
  private final Double classifierDropout;
  private final String problemType;
  private final String classifierPooling;
  private final List<String> labels;
  private final List<String> architectures;
  private final ObjectNode extra;

  private BertConfig(Builder b) {
    this.vocabSize = positive("vocab_size", b.vocabSize);
    this.hiddenSize = positive("hidden_size", b.hiddenSize);
    this.numHiddenLayers = positive("num_hidden_layers", b.numHiddenLayers);
    this.numAttentionHeads = positive("num_attention_heads", b.numAttentionHeads);
    this.intermediateSize = positive("intermediate_size", b.intermediateSize);
    this.hiddenAct = Objects.requireNonNull(b.hiddenAct, "hidden_act");
    this.hiddenDropoutProb = probability("hidden_dropout_prob", b.hiddenDropoutProb);
    this.attentionProbsDropoutProb = probability("attention_probs_dropout_prob", b.attentionProbsDropoutProb);
    this.maxPositionEmbeddings = positive("max_position_embeddings", b.maxPositionEmbeddings);
    this.typeVocabSize = positive("type_vocab_size", b.typeVocabSize);
    this.initializerRange = b.initializerRange;
    this.layerNormEps = b.layerNormEps;
    this.padTokenId = b.padTokenId;
    this.positionEmbeddingType = Objects.requireNonNull(b.positionEmbeddingType, "position_embedding_type");
    this.classifierDropout = b.classifierDropout == null ? null : probability("classifier_dropout", b.classifierDropout);
    this.problemType = b.problemType;
    this.classifierPooling = b.classifierPooling;
    this.labels = List.copyOf(b.labels);
    this.architectures = List.copyOf(b.architectures);
    this.extra = b.extra.deepCopy();
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException(
          "hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numAttentionHeads);
    }
    if (!SUPPORTED_ACTIVATIONS.contains(hiddenAct)) {
      throw new IllegalArgumentException("hidden_act '" + hiddenAct + "' is not supported; use one of " + SUPPORTED_ACTIVATIONS);
    }
    if (!positionEmbeddingType.equals("absolute")) {
      throw new IllegalArgumentException(
          "position_embedding_type '" + positionEmbeddingType + "' is not supported; only 'absolute' is");
    }
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("a model needs at least one label (id2label is empty)");
    }
    if (problemType != null && !List.of("regression", "single_label_classification", "multi_label_classification").contains(problemType)) {
      throw new IllegalArgumentException("problem_type '" + problemType + "' is not one of regression, "
          + "single_label_classification, multi_label_classification");
    }
    if (classifierPooling != null && !CLASSIFIER_POOLINGS.contains(classifierPooling)) {
      throw new IllegalArgumentException("classifier_pooling '" + classifierPooling + "' is not one of "
          + String.join(", ", CLASSIFIER_POOLINGS));
    }
    if (padTokenId < 0 || padTokenId >= vocabSize) {
      throw new IllegalArgumentException("pad_token_id " + padTokenId + " is outside the vocabulary [0, " + vocabSize + ")");
    }
  }

  private static int positive(String key, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(key + " must be positive, got " + v);
    }
    return v;
  }

  private static double probability(String key, double p) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException(key + " must be in [0, 1), got " + p);
    }
    return p;
  }

  /** A builder with Hugging Face's {@code BertConfig} defaults (bert-base sizes). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.vocabSize = vocabSize;
    b.hiddenSize = hiddenSize;
    b.numHiddenLayers = numHiddenLayers;
    b.numAttentionHeads = numAttentionHeads;
    b.intermediateSize = intermediateSize;
    b.hiddenAct = hiddenAct;
    b.hiddenDropoutProb = hiddenDropoutProb;
    b.attentionProbsDropoutProb = attentionProbsDropoutProb;
    b.maxPositionEmbeddings = maxPositionEmbeddings;
    b.typeVocabSize = typeVocabSize;
    b.initializerRange = initializerRange;
    b.layerNormEps = layerNormEps;
    b.padTokenId = padTokenId;
    b.positionEmbeddingType = positionEmbeddingType;
    b.classifierDropout = classifierDropout;
    b.problemType = problemType;
    b.classifierPooling = classifierPooling;
    b.labels = new ArrayList<>(labels);
    b.architectures = new ArrayList<>(architectures);
    b.extra = extra.deepCopy();
    return b;
  }

  /**
   * Reads {@code config.json}.
   *
   * @throws CheckpointException naming the file when it is missing, not JSON or not a valid config
   *     (a model folder that cannot be used, not a failing disk)
   */
  public static BertConfig load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      Path dir = file.toAbsolutePath().getParent();
      throw new CheckpointException(file, "not found" + (dir != null && Files.isDirectory(dir)
          ? ": " + dir + " is not a Hugging Face model folder (it needs config.json, the weights and the tokenizer files)"
          : ""));
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file, "not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(file, "expected a JSON object");
    }
    try {
      return fromJson((ObjectNode) root);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, e.getMessage());
    }
  }

  /** Parses the JSON object of a {@code config.json}. */
  public static BertConfig fromJson(ObjectNode root) {
    String modelType = root.path("model_type").asText("bert");
    if (!modelType.equals("bert")) {
      throw new IllegalArgumentException("model_type is '" + modelType + "', only 'bert' is supported");
    }
    Builder b = new Builder();
    ObjectNode extra = root.deepCopy();
    b.vocabSize = takeInt(extra, "vocab_size", b.vocabSize);
    b.hiddenSize = takeInt(extra, "hidden_size", b.hiddenSize);
    b.numHiddenLayers = takeInt(extra, "num_hidden_layers", b.numHiddenLayers);
    b.numAttentionHeads = takeInt(extra, "num_attention_heads", b.numAttentionHeads);
    b.intermediateSize = takeInt(extra, "intermediate_size", b.intermediateSize);
    b.hiddenAct = takeText(extra, "hidden_act", b.hiddenAct);
    b.hiddenDropoutProb = takeDouble(extra, "hidden_dropout_prob", b.hiddenDropoutProb);
    b.attentionProbsDropoutProb = takeDouble(extra, "attention_probs_dropout_prob", b.attentionProbsDropoutProb);
    b.maxPositionEmbeddings = takeInt(extra, "max_position_embeddings", b.maxPositionEmbeddings);
    b.typeVocabSize = takeInt(extra, "type_vocab_size", b.typeVocabSize);
    b.initializerRange = takeDouble(extra, "initializer_range", b.initializerRange);
    b.layerNormEps = takeDouble(extra, "layer_norm_eps", b.layerNormEps);
    b.padTokenId = takeInt(extra, "pad_token_id", b.padTokenId);
    b.positionEmbeddingType = takeText(extra, "position_embedding_type", b.positionEmbeddingType);
    JsonNode cd = extra.remove("classifier_dropout");
    b.classifierDropout = cd == null || cd.isNull() ? null : number("classifier_dropout", cd);
    JsonNode pt = extra.remove("problem_type");
    b.problemType = pt == null || pt.isNull() ? null : pt.asText();
    JsonNode cp = extra.remove(CLASSIFIER_POOLING_KEY);
    b.classifierPooling = cp == null || cp.isNull() ? null : cp.asText();
    b.labels = readLabels(extra);
    JsonNode arch = extra.remove("architectures");
    b.architectures = new ArrayList<>();
    if (arch != null && arch.isArray()) {
      arch.forEach(a -> b.architectures.add(a.asText()));
    }
    extra.remove("model_type");
    b.extra = extra;
    return b.build();
  }

  /** id2label (keys "0", "1", ...), else num_labels, else HF's two default labels; drops the keys. */
  private static List<String> readLabels(ObjectNode extra) {
    JsonNode id2label = extra.remove("id2label");
    extra.remove("label2id");
    JsonNode numLabels = extra.remove("num_labels");
    if (id2label != null && id2label.isObject() && id2label.size() > 0) {
      TreeMap<Integer, String> byId = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        int id;
        try {
          id = Integer.parseInt(e.getKey().trim());
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException("id2label key '" + e.getKey() + "' is not an integer");
        }
        byId.put(id, e.getValue().asText());
      }
      if (byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1) {
        throw new IllegalArgumentException("id2label ids must be 0.." + (byId.size() - 1) + ", got " + byId.keySet());
      }
      return new ArrayList<>(byId.values());
    }
    int n = numLabels != null && numLabels.canConvertToInt() ? numLabels.asInt() : 2;
    return defaultLabels(n);
  }

  /** {@code LABEL_0 .. LABEL_{n-1}}, Hugging Face's names for unnamed labels. */
  public static List<String> defaultLabels(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("num_labels must be positive, got " + n);
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("LABEL_" + i);
    }
    return out;
  }

  private static int takeInt(ObjectNode o, String key, int def) {
    JsonNode n = o.remove(key);
    if (n == null || n.isNull()) {
      return def;
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new IllegalArgumentException(key + " must be an integer, got " + n);
    }
    return n.asInt();
  }

  private static double takeDouble(ObjectNode o, String key, double def) {
    JsonNode n = o.remove(key);
    return n == null || n.isNull() ? def : number(key, n);
  }

  private static double number(String key, JsonNode n) {
    if (!n.isNumber()) {
      throw new IllegalArgumentException(key + " must be a number, got " + n);
    }
    return n.asDouble();
  }

  private static String takeText(ObjectNode o, String key, String def) {
    JsonNode n = o.remove(key);
    if (n == null || n.isNull()) {
      return def;
    }
    if (!n.isTextual()) {
      throw new IllegalArgumentException(key + " must be a string, got " + n);
    }
    return n.asText();
  }

  /** The JSON object Hugging Face would write, unknown keys of the source file included. */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    ArrayNode arch = o.putArray("architectures");
    architectures.forEach(arch::add);
    o.put("attention_probs_dropout_prob", attentionProbsDropoutProb);
    if (classifierDropout == null) {
      o.putNull("classifier_dropout");
    } else {
      o.put("classifier_dropout", classifierDropout);
    }
    o.put("hidden_act", hiddenAct);
    o.put("hidden_dropout_prob", hiddenDropoutProb);
    o.put("hidden_size", hiddenSize);
    ObjectNode id2label = o.putObject("id2label");
    ObjectNode label2id = JSON.createObjectNode();
    for (int i = 0; i < labels.size(); i++) {
      id2label.put(Integer.toString(i), labels.get(i));
      label2id.put(labels.get(i), i);
    }
    o.put("initializer_range", initializerRange);
    o.put("intermediate_size", intermediateSize);
    o.set("label2id", label2id);
    o.put("layer_norm_eps", layerNormEps);
    o.put("max_position_embeddings", maxPositionEmbeddings);
    o.put("model_type", "bert");
    o.put("num_attention_heads", numAttentionHeads);
    o.put("num_hidden_layers", numHiddenLayers);
    o.put("pad_token_id", padTokenId);
    o.put("position_embedding_type", positionEmbeddingType);
    if (problemType != null) {
      o.put("problem_type", problemType);
    }
    if (classifierPooling != null) {
      o.put(CLASSIFIER_POOLING_KEY, classifierPooling);
    }
    o.put("type_vocab_size", typeVocabSize);
    o.put("vocab_size", vocabSize);
    extra.fields().forEachRemaining(e -> o.set(e.getKey(), e.getValue().deepCopy()));
    return o;
  }

  /** Writes {@code config.json} atomically ({@link AtomicFiles}). */
  public void save(Path file) throws IOException {
    AtomicFiles.writeBytes(file, JSON.writeValueAsBytes(toJson()));
  }

  /** Copy with these labels (ids in list order); {@code num_labels} becomes their count. */
  public BertConfig withLabels(List<String> newLabels) {
    Builder b = toBuilder();
    b.labels = new ArrayList<>(newLabels);
    return b.build();
  }

  /** Copy with this {@code problem_type} (null to leave it to the label count). */
  public BertConfig withProblemType(String newProblemType) {
    Builder b = toBuilder();
    b.problemType = newProblemType;
    return b.build();
  }

  /**
   * Copy with this {@code classifier_pooling}: {@link #POOLER} (Hugging Face's head, also when null),
   * {@link #MEAN} or {@link #NORMALIZED_MEAN}.
   */
  public BertConfig withClassifierPooling(String pooling) {
    Builder b = toBuilder();
    b.classifierPooling = pooling;
    return b.build();
  }

  /**
   * What the classification head reads (jbert's {@code classifier_pooling} key, absent in Hugging
   * Face configs): {@link #POOLER}, the [CLS] vector through the pooler's dense layer and tanh as in
   * Hugging Face's {@code BertForSequenceClassification}, or {@link #NORMALIZED_MEAN}, the mean of the
   * token vectors over the attention mask scaled to unit length, as sentence-transformers' Pooling and
   * Normalize modules (the sentence embedding a SetFit-style contrastive stage trains).
   */
  public String classifierPooling() {
    return classifierPooling == null ? POOLER : classifierPooling;
  }

  /** Copy with this {@code architectures} list. */
  public BertConfig withArchitectures(List<String> newArchitectures) {
    Builder b = toBuilder();
    b.architectures = new ArrayList<>(newArchitectures);
    return b.build();
  }

  public int vocabSize() {
    return vocabSize;
  }

  public int hiddenSize() {
    return hiddenSize;
  }

  public int numHiddenLayers() {
    return numHiddenLayers;
  }

  public int numAttentionHeads() {
    return numAttentionHeads;
  }

  /** {@code hidden_size / num_attention_heads}. */
  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  public int intermediateSize() {
    return intermediateSize;
  }

  /** {@code gelu} (exact erf), {@code gelu_new} / {@code gelu_pytorch_tanh} (tanh form) or {@code relu}. */
  public String hiddenAct() {
    return hiddenAct;
  }

  public double hiddenDropoutProb() {
    return hiddenDropoutProb;
  }

  public double attentionProbsDropoutProb() {
    return attentionProbsDropoutProb;
  }

  public int maxPositionEmbeddings() {
    return maxPositionEmbeddings;
  }

  public int typeVocabSize() {
    return typeVocabSize;
  }

  /** Standard deviation of the normal initialisation of new weights. */
  public double initializerRange() {
    return initializerRange;
  }

  public double layerNormEps() {
    return layerNormEps;
  }

  public int padTokenId() {
    return padTokenId;
  }

  public String positionEmbeddingType() {
    return positionEmbeddingType;
  }

  /** {@code classifier_dropout}, or null when the config leaves it to {@code hidden_dropout_prob}. */
  public Double classifierDropout() {
    return classifierDropout;
  }

  /** The dropout before the classifier: {@code classifier_dropout} if set, else {@code hidden_dropout_prob}. */
  public double effectiveClassifierDropout() {
    return classifierDropout != null ? classifierDropout : hiddenDropoutProb;
  }

  /** {@code problem_type} as written, or null. */
  public String problemType() {
    return problemType;
  }

  /**
   * The loss Hugging Face picks: {@code problem_type} when set, else {@code regression} for one
   * label and {@code single_label_classification} otherwise (integer labels).
   */
  public String effectiveProblemType() {
    if (problemType != null) {
      return problemType;
    }
    return labels.size() == 1 ? "regression" : "single_label_classification";
  }

  /** Label names by id ({@code id2label}). */
  public List<String> labels() {
    return labels;
  }

  /** {@code label2id}. */
  public Map<String, Integer> labelToId() {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      m.put(labels.get(i), i);
    }
    return m;
  }

  /** Number of outputs of a classification head: the size of {@code id2label}. */
  public int numLabels() {
    return labels.size();
  }

  public List<String> architectures() {
    return architectures;
  }

  @Override
  public String toString() {
    return "BertConfig" + toJson();
  }

  /** Mutable holder of every field, with Hugging Face's defaults. */
  public static final class Builder {
    private int vocabSize = 30522;
    private int hiddenSize = 768;
    private int numHiddenLayers = 12;
    private int numAttentionHeads = 12;
    private int intermediateSize = 3072;
    private String hiddenAct = "gelu";
    private double hiddenDropoutProb = 0.1;
    private double attentionProbsDropoutProb = 0.1;
    private int maxPositionEmbeddings = 512;
    private int typeVocabSize = 2;
    private double initializerRange = 0.02;
    private double layerNormEps = 1e-12;
    private int padTokenId = 0;
    private String positionEmbeddingType = "absolute";
    private Double classifierDropout;
    private String problemType;
    private String classifierPooling;
    private List<String> labels = defaultLabels(2);
    private List<String> architectures = new ArrayList<>();
    private ObjectNode extra = JSON.createObjectNode();

    private Builder() {}

    public Builder vocabSize(int v) {
      vocabSize = v;
      return this;
    }

    public Builder hiddenSize(int v) {
      hiddenSize = v;
      return this;
    }

    public Builder numHiddenLayers(int v) {
      numHiddenLayers = v;
      return this;
    }

    public Builder numAttentionHeads(int v) {
      numAttentionHeads = v;
      return this;
    }

    public Builder intermediateSize(int v) {
      intermediateSize = v;
      return this;
    }

    public Builder hiddenAct(String v) {
      hiddenAct = v;
      return this;
    }

    public Builder hiddenDropoutProb(double v) {
      hiddenDropoutProb = v;
      return this;
    }

    public Builder attentionProbsDropoutProb(double v) {
      attentionProbsDropoutProb = v;
      return this;
    }

    public Builder maxPositionEmbeddings(int v) {
      maxPositionEmbeddings = v;
      return this;
    }

    public Builder typeVocabSize(int v) {
      typeVocabSize = v;
      return this;
    }

    public Builder initializerRange(double v) {
      initializerRange = v;
      return this;
    }

    public Builder layerNormEps(double v) {
      layerNormEps = v;
      return this;
    }

    public Builder padTokenId(int v) {
      padTokenId = v;
      return this;
    }

    public Builder classifierDropout(Double v) {
      classifierDropout = v;
      return this;
    }

    public Builder problemType(String v) {
      problemType = v;
      return this;
    }

    /** {@link BertConfig#POOLER}, {@link BertConfig#NORMALIZED_MEAN}, or null for Hugging Face's head. */
    public Builder classifierPooling(String v) {
      classifierPooling = v;
      return this;
    }

    public Builder labels(List<String> v) {
      labels = new ArrayList<>(v);
      return this;
    }

    public Builder architectures(List<String> v) {
      architectures = new ArrayList<>(v);
      return this;
    }

    /** Validates and builds. */
    public BertConfig build() {
      return new BertConfig(this);
    }
  }
}
