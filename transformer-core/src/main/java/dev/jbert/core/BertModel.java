package dev.jbert.core;

import dev.jbert.core.nn.BertNetwork;
import dev.jbert.core.nn.Buffers;
import dev.jbert.core.nn.TrainingMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertModel}: embeddings, encoder layers and an optional pooler, with a
 * hand-written backward pass. Every parameter and gradient lives in one {@link Parameters} under
 * its Hugging Face name.
 *
 * <p>Activation buffers for an input shape (batch, seq) are views carved out of one arena that
 * grows to the largest shape seen and is reused by every later shape, so dynamic padding allocates
 * nothing per step. Arrays returned by {@link #forward} are views of those buffers: valid until
 * the next forward.
 *
 * <p>{@link #backward} accumulates into {@code parameters().grads()} like PyTorch; call
 * {@link Parameters#zeroGrad()} between steps. For prediction, {@link #setGradEnabled(boolean)
 * setGradEnabled(false)} (as {@code torch.no_grad()}) keeps two layers' worth of activations
 * instead of every layer's. A model is not thread-safe: one forward/backward at a
 * time.
 */
public final class BertModel implements AutoCloseable {

  /** Default seed of dropout masks and of freshly initialised weights. */
  public static final long DEFAULT_SEED = 42;

  private final BertConfig config;
  private final Parameters parameters;
  private final String prefix;
  private final boolean withPooler;
  private final TrainingMode mode;
  private final Buffers.Arena arena;
  private BertNetwork current;
  private boolean outputHiddenStates;
  private boolean gradEnabled = true;
  private LoadReport loadReport;

  /**
   * The outputs of one forward pass (views of the model's buffers).
   *
   * @param lastHiddenState [batch, seq, hidden]
   * @param pooledOutput [batch, hidden], or null without a pooler
   * @param hiddenStates the embedding output then each layer's output, each [batch, seq, hidden],
   *     when {@link #setOutputHiddenStates} is on; else empty
   */
  public record Output(INDArray lastHiddenState, INDArray pooledOutput, List<INDArray> hiddenStates) {}

  /** A new model with a pooler, weights initialised as Hugging Face does (seed {@link #DEFAULT_SEED}). */
  public BertModel(BertConfig config, DataType dataType) {
    this(config, dataType, true);
  }

  /** A new model, weights initialised as Hugging Face does (seed {@link #DEFAULT_SEED}). */
  public BertModel(BertConfig config, DataType dataType, boolean addPoolingLayer) {
    this(config, layout(config, "", addPoolingLayer).build(dataType), "", addPoolingLayer, new TrainingMode(DEFAULT_SEED));
    WeightInit.initializeAll(parameters, config, DEFAULT_SEED);
  }

  /** The encoder of a task model: its parameters carry {@code prefix} and share the task model's mode. */
  BertModel(BertConfig config, Parameters parameters, String prefix, boolean withPooler, TrainingMode mode) {
    Backend.init();
    this.config = config;
    this.parameters = parameters;
    this.prefix = prefix;
    this.withPooler = withPooler;
    this.mode = mode;
    this.arena = new Buffers.Arena(parameters.dataType());
  }

  /**
   * Registers the parameters of an encoder under {@code prefix} in Hugging Face's state-dict order,
   * except that each attention layer's query, key and value weights come before their biases, so
   * that the three weights (and the three biases) form one fused tensor.
   */
  static Parameters.Builder layout(BertConfig c, String prefix, boolean withPooler) {
    Parameters.Builder b = Parameters.builder();
    int h = c.hiddenSize();
    String e = prefix + "embeddings.";
    b.add(e + "word_embeddings.weight", c.vocabSize(), h);
    b.add(e + "position_embeddings.weight", c.maxPositionEmbeddings(), h);
    b.add(e + "token_type_embeddings.weight", c.typeVocabSize(), h);
    b.add(e + "LayerNorm.weight", h);
    b.add(e + "LayerNorm.bias", h);
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String l = prefix + "encoder.layer." + i + ".";
      for (String qkv : List.of("query", "key", "value")) {
        b.add(l + "attention.self." + qkv + ".weight", h, h);
      }
      for (String qkv : List.of("query", "key", "value")) {
        b.add(l + "attention.self." + qkv + ".bias", h);
      }
      b.add(l + "attention.output.dense.weight", h, h);
      b.add(l + "attention.output.dense.bias", h);
      b.add(l + "attention.output.LayerNorm.weight", h);
      b.add(l + "attention.output.LayerNorm.bias", h);
      b.add(l + "intermediate.dense.weight", c.intermediateSize(), h);
      b.add(l + "intermediate.dense.bias", c.intermediateSize());
      b.add(l + "output.dense.weight", h, c.intermediateSize());
      b.add(l + "output.dense.bias", h);
      b.add(l + "output.LayerNorm.weight", h);
      b.add(l + "output.LayerNorm.bias", h);
    }
    if (withPooler) {
      b.add(prefix + "pooler.dense.weight", h, h);
      b.add(prefix + "pooler.dense.bias", h);
    }
    return b;
  }

  /**
   * Loads {@code config.json} and the weights of a Hugging Face model directory. A missing pooler
   * is initialised N(0, initializer_range) and reported (as Hugging Face does); a missing encoder
   * or embedding weight, or a shape that disagrees with the config, is an error naming it.
   */
  public static BertModel fromPretrained(Path dir, DataType dataType) throws IOException {
    return fromPretrained(dir, dataType, true);
  }

  /**
   * As {@link #fromPretrained(Path, DataType)}; without a pooling layer ({@code add_pooling_layer=False}
   * in Hugging Face) for callers that only need the hidden states, such as sentence embeddings.
   */
  public static BertModel fromPretrained(Path dir, DataType dataType, boolean addPoolingLayer) throws IOException {
    BertConfig config = BertConfig.load(dir.resolve("config.json"));
    BertModel model = new BertModel(config, layout(config, "", addPoolingLayer).build(dataType), "", addPoolingLayer,
        new TrainingMode(DEFAULT_SEED));
    model.loadReport = PretrainedWeights.load(dir, model.parameters, "", name -> name.startsWith("pooler."),
        config, DEFAULT_SEED, "BertModel");
    return model;
  }

  /**
   * A second model over the same weights, for serving from several threads: the parameters are shared
   * (not copied), the replica has its own activation buffers, train/eval mode and gradient switch,
   * copied from this model. Forward passes of the model and its replicas may run at the same time on
   * different threads as long as nobody changes the weights; training either one while the other runs
   * is undefined. Closing a replica frees only its activation buffers.
   */
  public BertModel replica() {
    BertModel copy = new BertModel(config, parameters, prefix, withPooler, new TrainingMode(DEFAULT_SEED));
    copy.mode.setTraining(mode.isTraining());
    copy.mode.setDropoutEnabled(mode.isDropoutEnabled());
    copy.gradEnabled = gradEnabled;
    copy.outputHiddenStates = outputHiddenStates;
    copy.loadReport = loadReport;
    return copy;
  }

  /** Writes {@code config.json} and {@code model.safetensors} (unprefixed names) into {@code dir}. */
  public void savePretrained(Path dir) throws IOException {
    if (!prefix.isEmpty()) {
      throw new IllegalStateException("this encoder belongs to a task model; save that model instead");
    }
    PretrainedWeights.save(dir, config.withArchitectures(List.of("BertModel")), parameters);
  }

  /** Runs the encoder on a batch; see {@link Output}. */
  public Output forward(TokenBatch batch) {
    validate(batch);
    boolean withGradients = gradEnabled || outputHiddenStates;
    if (current == null || current.batch() != batch.batch() || current.seq() != batch.seq()
        || current.withGradients() != withGradients) {
      current = networkFor(batch.batch(), batch.seq(), withGradients);
    }
    INDArray last = current.forward(batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask());
    List<INDArray> hidden = new ArrayList<>();
    if (outputHiddenStates) {
      for (INDArray h : current.hiddenStates()) {
        hidden.add(h.reshape(batch.batch(), batch.seq(), config.hiddenSize()));
      }
    }
    return new Output(last.reshape(batch.batch(), batch.seq(), config.hiddenSize()), current.pooled(), hidden);
  }

  /** {@link #forward(TokenBatch)} from [batch][seq] arrays; null token types mean 0, a null mask all 1. */
  public Output forward(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
    return forward(TokenBatch.of(inputIds, tokenTypeIds, attentionMask));
  }

  /** {@link #forward(TokenBatch)} from [batch, seq] INDArrays; null token types mean 0, a null mask all 1. */
  public Output forward(INDArray inputIds, INDArray tokenTypeIds, INDArray attentionMask) {
    return forward(TokenBatch.of(inputIds, tokenTypeIds, attentionMask));
  }

  /**
   * Back-propagates gradients of the last forward's outputs and accumulates d loss / d parameter
   * into {@code parameters().grads()}.
   *
   * @param dLastHiddenState [batch, seq, hidden] or null
   * @param dPooledOutput [batch, hidden] or null
   */
  public void backward(INDArray dLastHiddenState, INDArray dPooledOutput) {
    requireGradients();
    long batch = current.batch();
    long seq = current.seq();
    checkGradient("dLastHiddenState", dLastHiddenState, batch, seq, config.hiddenSize());
    checkGradient("dPooledOutput", dPooledOutput, batch, config.hiddenSize());
    INDArray dLast = dLastHiddenState == null ? null : dLastHiddenState.reshape(batch * seq, config.hiddenSize());
    current.backward(dLast, dPooledOutput);
  }

  /** Fails unless the last forward kept what a backward pass needs. */
  void requireGradients() {
    if (current == null) {
      throw new IllegalStateException("backward before forward");
    }
    if (!current.withGradients()) {
      throw new IllegalStateException("the last forward ran with gradients disabled (setGradEnabled(false)), "
          + "so it kept no activations for backward; enable them and run the forward again");
    }
  }

  private void checkGradient(String name, INDArray g, long... shape) {
    if (g == null) {
      return;
    }
    if (!java.util.Arrays.equals(g.shape(), shape) || g.dataType() != parameters.dataType()) {
      throw new IllegalArgumentException(name + " must be " + parameters.dataType() + " " + java.util.Arrays.toString(shape)
          + " like the last forward's output, got " + g.dataType() + " " + java.util.Arrays.toString(g.shape()));
    }
  }

  private void validate(TokenBatch b) {
    if (b.seq() > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("sequence length " + b.seq() + " exceeds max_position_embeddings "
          + config.maxPositionEmbeddings());
    }
    for (int i = 0; i < b.tokens(); i++) {
      int id = b.inputIds()[i];
      if (id < 0 || id >= config.vocabSize()) {
        throw new IllegalArgumentException("input_ids[" + i / b.seq() + "][" + i % b.seq() + "] = " + id
            + " is outside the vocabulary [0, " + config.vocabSize() + ")");
      }
      int type = b.tokenTypeIds()[i];
      if (type < 0 || type >= config.typeVocabSize()) {
        throw new IllegalArgumentException("token_type_ids[" + i / b.seq() + "][" + i % b.seq() + "] = " + type
            + " is outside [0, " + config.typeVocabSize() + ")");
      }
    }
  }

  /** Re-initialises every parameter as Hugging Face does for a new model. */
  public void initializeWeights(long seed) {
    WeightInit.initializeAll(parameters, config, seed);
  }

  /** Training mode: dropout acts (unless switched off). */
  public void train() {
    mode.setTraining(true);
  }

  /** Eval mode: every dropout is the identity. */
  public void eval() {
    mode.setTraining(false);
  }

  public boolean isTraining() {
    return mode.isTraining();
  }

  /** Switches every dropout of the model off or on, in training mode too. */
  public void setDropoutEnabled(boolean enabled) {
    mode.setDropoutEnabled(enabled);
  }

  /** Restarts the random stream of the dropout masks. */
  public void setSeed(long seed) {
    mode.reseed(seed);
  }

  /**
   * Whether {@link Output#hiddenStates()} is filled (it costs nothing when gradients are enabled:
   * the buffers exist anyway; with gradients disabled it keeps every layer's buffers).
   */
  public void setOutputHiddenStates(boolean on) {
    this.outputHiddenStates = on;
  }

  /**
   * Whether forward passes keep what {@link #backward} needs (default true), as
   * {@code torch.set_grad_enabled}. Disabled, the encoder layers share two layers' worth of
   * activation buffers and {@code backward} fails; outputs are the same bit for bit. Independent of
   * {@link #eval()}: eval-mode gradients (dropout off) still need it enabled.
   */
  public void setGradEnabled(boolean enabled) {
    this.gradEnabled = enabled;
  }

  /** See {@link #setGradEnabled}. */
  public boolean isGradEnabled() {
    return gradEnabled;
  }

  /** Drops the current network and builds one for this shape from the arena, growing it if short. */
  private BertNetwork networkFor(int batch, int seq, boolean withGradients) {
    if (current != null) {
      current.close();
      current = null;
    }
    Parameters p = withGradients ? parameters : parameters.valuesOnly(); // no gradient buffer for prediction
    Buffers buffers = new Buffers(arena);
    BertNetwork network = new BertNetwork(config, p, prefix, withPooler, withGradients, mode, buffers, batch, seq);
    if (buffers.shortfall() > 0) {
      network.close();
      arena.grow(buffers.arenaElements());
      buffers = new Buffers(arena);
      network = new BertNetwork(config, p, prefix, withPooler, withGradients, mode, buffers, batch, seq);
    }
    return network;
  }

  public BertConfig config() {
    return config;
  }

  /** Every parameter and gradient, by Hugging Face name. */
  public Parameters parameters() {
    return parameters;
  }

  /** Whether the model has a pooler. */
  public boolean hasPooler() {
    return withPooler;
  }

  /** What {@link #fromPretrained} loaded, or null for a model built from a config. */
  public LoadReport loadReport() {
    return loadReport;
  }

  /** Bytes of activation buffers of the shape of the last forward (0 before any). */
  public long activationBytes() {
    return current == null ? 0 : current.bufferBytes();
  }

  /** Bytes of the activation arena, which only grows: to the largest shape seen so far. */
  public long activationCapacityBytes() {
    return arena.capacity() * parameters.dataType().width();
  }

  /** Frees every activation buffer. */
  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
    arena.close();
  }
}
