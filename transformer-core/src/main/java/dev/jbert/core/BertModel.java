package dev.jbert.core;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.nn.BertNetwork;
import dev.jbert.core.nn.Buffers;
import dev.jbert.core.nn.TrainingMode;
import dev.jbert.core.param.ParameterScope;
import dev.jbert.core.param.Parameters;
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
 * setGradEnabled(false)} (as {@code torch.no_grad()}) keeps one layer's worth of activations
 * instead of every layer's. A model is not thread-safe: one forward/backward at a
 * time.
 */
public final class BertModel extends BertPreTrainedModel {

  private final BertNetwork network;
  private final Parameters parameters;
  private final boolean inTaskModel;           // the encoder of a task model: saved by that model
  private final boolean withPooler;
  private final Buffers.Arena arena;
  private BertNetwork.Activations current;
  private boolean outputHiddenStates;
  private boolean gradEnabled = true;

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
    this(config, new Declared(config, addPoolingLayer), dataType);
    WeightInit.initializeAll(parameters, config, DEFAULT_SEED);
  }

  /** A bare model: its parameters are what its modules declared, zero-filled. */
  private BertModel(BertConfig config, Declared d, DataType dataType) {
    this(config, d.network, d.scope.build(dataType), false, d.withPooler, d.mode);
  }

  /** The modules of a bare model, declared in a fresh scope. */
  private static final class Declared {
    final ParameterScope scope = ParameterScope.root();
    final TrainingMode mode = new TrainingMode(DEFAULT_SEED);
    final BertNetwork network;
    final boolean withPooler;

    Declared(BertConfig config, boolean withPooler) {
      this.network = new BertNetwork(scope, config, withPooler, mode);
      this.withPooler = withPooler;
    }
  }

  /**
   * The encoder of a task model, whose modules were declared in the task model's scope (under
   * {@code bert.}) and share its mode.
   */
  BertModel(BertConfig config, BertNetwork network, Parameters parameters, boolean inTaskModel, boolean withPooler,
      TrainingMode mode) {
    super(config, mode);
    this.network = network;
    this.parameters = parameters;
    this.inTaskModel = inTaskModel;
    this.withPooler = withPooler;
    this.arena = new Buffers.Arena(parameters.dataType());
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
    BertModel model = new BertModel(config, new Declared(config, addPoolingLayer), dataType);
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
    if (inTaskModel) {
      throw new IllegalStateException("this encoder belongs to a task model; replicate that model instead");
    }
    Declared d = new Declared(config, withPooler);
    BertModel copy = new BertModel(config, d.network, d.scope.share(parameters), false, withPooler, d.mode);
    copyStateTo(copy);
    copy.outputHiddenStates = outputHiddenStates;
    return copy;
  }

  /** Writes {@code config.json} and {@code model.safetensors} (unprefixed names) into {@code dir}. */
  public void savePretrained(Path dir) throws IOException {
    if (inTaskModel) {
      throw new IllegalStateException("this encoder belongs to a task model; save that model instead");
    }
    PretrainedWeights.save(dir, config.withArchitectures(List.of("BertModel")), parameters);
  }

  /** Runs the encoder on a batch; see {@link Output}. */
  public Output forward(TokenBatch batch) {
    return forward(batch, false);
  }

  /**
   * Runs the encoder on a batch; with {@code pooledOnly} (and a pooler, and no hidden states asked
   * for) the caller reads the pooled output only: the last layer computes each sequence's first
   * token alone, and {@link Output#lastHiddenState()} is null. Pooled output and gradients are the
   * same.
   */
  Output forward(TokenBatch batch, boolean pooledOnly) {
    validate(batch);
    boolean withGradients = gradEnabled || outputHiddenStates;
    boolean firstTokens = pooledOnly && withPooler && !outputHiddenStates;
    if (current == null || current.batch() != batch.batch() || current.seq() != batch.seq()
        || current.withGradients() != withGradients || current.pooledOnly() != firstTokens) {
      current = activationsFor(batch.batch(), batch.seq(), withGradients, firstTokens);
    }
    INDArray last = network.forward(current, batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask());
    List<INDArray> hidden = new ArrayList<>();
    if (outputHiddenStates) {
      for (INDArray h : current.hiddenStates()) {
        hidden.add(h.reshape(batch.batch(), batch.seq(), config.hiddenSize()));
      }
    }
    INDArray lastHidden = firstTokens ? null : last.reshape(batch.batch(), batch.seq(), config.hiddenSize());
    return new Output(lastHidden, current.pooled(), hidden);
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
    network.backward(current, dLast, dPooledOutput);
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

  /**
   * Whether {@link Output#hiddenStates()} is filled (it costs nothing when gradients are enabled:
   * the buffers exist anyway; with gradients disabled it keeps every layer's buffers).
   */
  public void setOutputHiddenStates(boolean on) {
    this.outputHiddenStates = on;
  }

  /**
   * Whether forward passes keep what {@link #backward} needs (default true), as
   * {@code torch.set_grad_enabled}. Disabled, the encoder layers share one layer's worth of
   * activation buffers and {@code backward} fails; outputs are the same bit for bit. Independent of
   * {@link #eval()}: eval-mode gradients (dropout off) still need it enabled.
   */
  @Override
  public void setGradEnabled(boolean enabled) {
    this.gradEnabled = enabled;
  }

  @Override
  public boolean isGradEnabled() {
    return gradEnabled;
  }

  /** Drops the current activations and allocates this shape's from the arena, growing it if short. */
  private BertNetwork.Activations activationsFor(int batch, int seq, boolean withGradients, boolean pooledOnly) {
    if (current != null) {
      current.close();
      current = null;
    }
    Buffers buffers = new Buffers(arena);
    BertNetwork.Activations activations = network.allocate(buffers, batch, seq, withGradients, pooledOnly);
    if (buffers.shortfall() > 0) {
      activations.close();
      arena.grow(buffers.arenaElements());
      activations = network.allocate(new Buffers(arena), batch, seq, withGradients, pooledOnly);
    }
    return activations;
  }

  /** Every parameter and gradient, by Hugging Face name. */
  public Parameters parameters() {
    return parameters;
  }

  /** Whether the model has a pooler. */
  public boolean hasPooler() {
    return withPooler;
  }

  /** Bytes of activation buffers of the shape of the last forward (0 before any). */
  public long activationBytes() {
    return current == null ? 0 : current.bufferBytes();
  }

  /** Bytes of the activation arena, which only grows: to the largest shape seen so far. */
  public long activationCapacityBytes() {
    return arena.capacity() * parameters.dataType().width();
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
    arena.close();
  }
}
