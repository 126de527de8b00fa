package dev.jbert.core;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.kernel.L2Normalize;
import dev.jbert.core.kernel.MeanPooling;
import dev.jbert.core.nn.BertNetwork;
import dev.jbert.core.nn.Buffers;
import dev.jbert.core.nn.ClassificationHead;
import dev.jbert.core.nn.CrossEntropyLoss;
import dev.jbert.core.nn.MseLoss;
import dev.jbert.core.nn.RDropLoss;
import dev.jbert.core.nn.TrainingMode;
import dev.jbert.core.param.ParameterScope;
import dev.jbert.core.param.Parameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hugging Face's {@code BertForSequenceClassification}: a {@link BertModel} under the {@code bert.}
 * prefix, then dropout and the {@code classifier} Linear on the pooled output. The loss follows
 * {@code problem_type}: cross-entropy for single-label classification (optional class weights and
 * label smoothing), MSE for regression.
 *
 * <p>A training step: {@code forward}, {@code loss}, {@code backward}, then the optimizer reads
 * {@code parameters().grads()}; gradients accumulate until {@link Parameters#zeroGrad()}.
 *
 * <p>The head reads what {@link BertConfig#classifierPooling()} names: Hugging Face's pooler output
 * by default; with {@link BertConfig#MEAN} the mean of the last hidden states over the attention
 * mask, and with {@link BertConfig#NORMALIZED_MEAN} that mean at unit length: the sentence
 * embeddings of sentence-transformers models. Those options exist for sentence encoders: their
 * checkpoints carry no trained pooler (all-MiniLM-L6-v2's is initialised at random), and after a
 * contrastive stage (SetFit) a classifier on the [CLS] pooler would read a vector the stage never
 * shaped, so the head reads the vector that was trained. The pooler's weights stay in the model
 * (loaded and saved under their names) but are not used then. A folder with that option is loaded by jbert as written; Python's
 * {@code transformers} ignores the key and would read the pooler.
 *
 * <p>With the pooler's head the model reads each sequence's first token of the last layer and
 * nothing else, so its last layer computes those tokens alone (past the keys and values, which
 * every token gives): the same logits and gradients as Hugging Face's, for about 1/L less work
 * (L layers). {@link #bert()}'s own forward computes every token, for its hidden states.
 */
public final class BertForSequenceClassification extends BertPreTrainedModel {

  private final Parameters parameters;
  private final BertModel bert;
  private final ClassificationHead head;
  private final ShapeCache<Head> heads = new ShapeCache<>(3);
  private CrossEntropyLoss crossEntropy = new CrossEntropyLoss(null, 0.0);
  private RDropLoss rDrop; // null: no R-Drop term
  private final MseLoss mse = new MseLoss();
  private Head current;
  private boolean lossReady;

  /** The classification head's activations for one batch size, with their buffers. */
  private static final class Head implements AutoCloseable {
    final Buffers buffers;
    final ClassificationHead.Activations activations;
    final INDArray dLogits; // [batch, numLabels]
    INDArray logits;
    INDArray pooled; // the classifier's input of the last forward: the pooler's output, the mean or the normalised mean
    // mean and normalized_mean pooling only:
    final INDArray mean;      // [batch, hidden] the masked mean of the last hidden states
    // normalized_mean pooling only:
    final INDArray unit;      // [batch, hidden] mean / ‖mean‖, the head's input
    final double[] norms;     // [batch] ‖mean‖
    int[] mask;               // [batch·seq] the attention mask of the last forward
    int seq;

    Head(BertForSequenceClassification m, int batch) {
      buffers = new Buffers(m.parameters.dataType());
      activations = m.head.allocate(buffers, batch);
      dLogits = buffers.empty(batch, m.config.numLabels());
      boolean normalize = m.normalizedMean();
      mean = m.meanPooling() ? buffers.empty(batch, m.config.hiddenSize()) : null;
      unit = normalize ? buffers.empty(batch, m.config.hiddenSize()) : null;
      norms = normalize ? new double[batch] : null;
    }

    @Override
    public void close() {
      buffers.close();
    }
  }

  /** A new model with Hugging Face's initialisation (seed {@link BertModel#DEFAULT_SEED}). */
  public BertForSequenceClassification(BertConfig config, DataType dataType) {
    this(config, dataType, ParameterScope.root());
    WeightInit.initializeAll(parameters, config, DEFAULT_SEED);
  }

  /** The modules (encoder under {@code bert.}, then the head) declare the parameters in {@code scope}, zero-filled. */
  private BertForSequenceClassification(BertConfig config, DataType dataType, ParameterScope scope) {
    this(config, scope, () -> scope.build(dataType));
  }

  /** The modules declare the parameters in {@code scope}; {@code bind} then builds or shares them. */
  private BertForSequenceClassification(BertConfig config, ParameterScope scope, Supplier<Parameters> bind) {
    super(config, new TrainingMode(DEFAULT_SEED));
    BertNetwork network = new BertNetwork(scope.pp(PretrainedWeights.BASE), config, true, mode);
    this.head = new ClassificationHead(scope, config, mode);
    this.parameters = bind.get();
    this.bert = new BertModel(config, network, parameters, true, true, mode);
  }

  /**
   * Loads a model directory: a fine-tuned classifier, or a base checkpoint (no {@code bert.}
   * prefix, no head), in which case the pooler and classifier are initialised
   * N(0, initializer_range), biases 0, and reported in {@link #loadReport()}.
   */
  public static BertForSequenceClassification fromPretrained(Path dir, DataType dataType) throws IOException {
    return fromPretrained(dir, dataType, BertConfig.load(dir.resolve("config.json")));
  }

  /**
   * Loads the weights of {@code dir} into a model of {@code config}, e.g. the directory's own config
   * with new labels ({@link BertConfig#withLabels}) for fine-tuning a base checkpoint.
   */
  public static BertForSequenceClassification fromPretrained(Path dir, DataType dataType, BertConfig config)
      throws IOException {
    BertForSequenceClassification model = new BertForSequenceClassification(config, dataType, ParameterScope.root());
    model.loadReport = PretrainedWeights.load(dir, model.parameters, PretrainedWeights.BASE_PREFIX,
        name -> name.startsWith(PretrainedWeights.BASE_PREFIX + "pooler.") || name.startsWith(ClassificationHead.NAME + "."),
        config, DEFAULT_SEED, "BertForSequenceClassification");
    return model;
  }

  /**
   * A second classifier over the same weights, for serving from several threads: the parameters are
   * shared (not copied), the replica has its own activation buffers, train/eval mode and gradient
   * switch, copied from this model. Forward passes of the model and its replicas may run at the same
   * time on different threads as long as nobody changes the weights; training either one while the
   * other runs is undefined. Cross-entropy options are not copied (a replica is meant for prediction).
   * Closing a replica frees only its activation buffers.
   */
  public BertForSequenceClassification replica() {
    ParameterScope scope = ParameterScope.root();
    BertForSequenceClassification copy = new BertForSequenceClassification(config, scope, () -> scope.share(parameters));
    copyStateTo(copy);
    return copy;
  }

  /** Writes {@code config.json} and {@code model.safetensors} ({@code bert.*} and {@code classifier.*}) into {@code dir}. */
  public void savePretrained(Path dir) throws IOException {
    PretrainedWeights.save(dir, config.withArchitectures(List.of("BertForSequenceClassification")), parameters);
  }

  /** Logits [batch, numLabels] (a view of the model's buffers, valid until the next forward of this batch size). */
  public INDArray forward(TokenBatch batch) {
    BertModel.Output out = bert.forward(batch, !meanPooling());        // the pooler's head: first tokens suffice
    boolean withGradients = bert.isGradEnabled();                    // a head per batch size and gradient switch
    current = heads.get(batch.batch(), withGradients ? 1 : 0, () -> new Head(this, batch.batch()));
    INDArray headInput = out.pooledOutput();
    if (meanPooling()) {
      current.mask = batch.attentionMask().clone();
      current.seq = batch.seq();
      MeanPooling.forward(current.mean, out.lastHiddenState(), current.mask);
      headInput = current.mean;
      if (normalizedMean()) {
        L2Normalize.forward(current.unit, current.norms, current.mean);
        headInput = current.unit;
      }
    }
    current.pooled = headInput;
    current.logits = head.forward(current.activations, headInput);
    lossReady = false;
    return current.logits;
  }

  /**
   * The pooled output of the last forward, [batch, hidden]: the features the classifier reads
   * (before its dropout; the mean or the normalised mean with {@code classifier_pooling} {@code mean} or
   * {@code normalized_mean}), e.g. for out-of-distribution detectors that measure distances between
   * them. A view of the model's buffers, valid until the next forward of this batch size.
   */
  public INDArray pooledOutput() {
    if (current == null) {
      throw new IllegalStateException("pooled output before forward");
    }
    return current.pooled;
  }

  /** {@link #forward(TokenBatch)} from [batch][seq] arrays; null token types mean 0, a null mask all 1. */
  public INDArray forward(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {
    return forward(TokenBatch.of(inputIds, tokenTypeIds, attentionMask));
  }

  /** {@link #forward(TokenBatch)} from [batch, seq] INDArrays. */
  public INDArray forward(INDArray inputIds, INDArray tokenTypeIds, INDArray attentionMask) {
    return forward(TokenBatch.of(inputIds, tokenTypeIds, attentionMask));
  }

  /**
   * Cross-entropy of the last logits against class ids (mean over the batch), plus the R-Drop term
   * when {@link #setRDrop} set one, and its gradient kept for {@link #backward()}. Needs a
   * classification {@code problem_type}.
   */
  public double loss(int[] labels) {
    String problem = config.effectiveProblemType();
    if (!problem.equals("single_label_classification")) {
      throw new IllegalStateException("integer labels need problem_type single_label_classification, this model's is "
          + problem + (problem.equals("regression") ? " (pass float targets)" : ""));
    }
    double loss = crossEntropy.forward(logits(), labels);
    crossEntropy.backward(current.dLogits);
    if (rDrop != null) {
      requireTwice(labels);
      loss += rDrop.forward(logits());
      rDrop.backwardAdd(current.dLogits);
    }
    lossReady = true;
    return loss;
  }

  /** R-Drop's batch holds each input twice: the second half of the labels repeats the first. */
  private static void requireTwice(int[] labels) {
    int half = labels.length / 2;
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("R-Drop needs each input twice, got an odd batch of " + labels.length);
    }
    for (int b = 0; b < half; b++) {
      if (labels[b] != labels[b + half]) {
        throw new IllegalArgumentException("R-Drop needs each input twice: label " + labels[b + half] + " at batch index "
            + (b + half) + " differs from " + labels[b] + " at " + b);
      }
    }
  }

  /**
   * MSE of the last logits against float targets, one per logit ([batch·numLabels], mean over all),
   * and its gradient kept for {@link #backward()}. Needs problem_type regression.
   */
  public double loss(double[] targets) {
    String problem = config.effectiveProblemType();
    if (!problem.equals("regression")) {
      throw new IllegalStateException("float targets need problem_type regression, this model's is " + problem);
    }
    double loss = mse.forward(logits(), targets);
    mse.backward(current.dLogits);
    lossReady = true;
    return loss;
  }

  private INDArray logits() {
    if (current == null) {
      throw new IllegalStateException("loss before forward");
    }
    return current.logits;
  }

  /** Accumulates d(last loss)/d parameter into {@code parameters().grads()}. */
  public void backward() {
    if (!lossReady) {
      throw new IllegalStateException("backward needs a loss of the last forward");
    }
    bert.requireGradients();
    INDArray dHeadInput = head.backward(current.activations, current.dLogits);
    if (!meanPooling()) {
      bert.backward(null, dHeadInput);
      return;
    }
    int batch = (int) current.mean.size(0);
    INDArray dMean = dHeadInput;
    if (normalizedMean()) {
      dMean = Nd4j.zeros(parameters.dataType(), batch, config.hiddenSize());
      L2Normalize.backward(dMean, dHeadInput, current.unit, current.norms);
    }
    INDArray dHidden = Nd4j.createUninitialized(parameters.dataType(), batch, current.seq, config.hiddenSize());
    MeanPooling.backward(dHidden, dMean, current.mask);
    bert.backward(dHidden, null);
  }

  /** Whether the head reads the (possibly normalised) mean of the tokens rather than the pooler. */
  private boolean meanPooling() {
    return !BertConfig.POOLER.equals(config.classifierPooling());
  }

  /** Whether the mean is scaled to unit length before the head. */
  private boolean normalizedMean() {
    return BertConfig.NORMALIZED_MEAN.equals(config.classifierPooling());
  }

  /**
   * Cross-entropy options: one weight per class (null for none; the mean is then weighted as in
   * torch, Σ w_y·nll / Σ w_y) and label smoothing ε in [0, 1].
   */
  public void setCrossEntropyOptions(double[] classWeights, double labelSmoothing) {
    if (classWeights != null && classWeights.length != config.numLabels()) {
      throw new IllegalArgumentException(classWeights.length + " class weights for " + config.numLabels() + " labels");
    }
    this.crossEntropy = new CrossEntropyLoss(classWeights, labelSmoothing);
  }

  /**
   * R-Drop (Liang et al., 2021) with weight {@code alpha}, 0 for none: {@link #loss(int[])} then
   * expects a batch whose second half repeats the first ({@link TokenBatch#twice()}), adds
   * {@link RDropLoss}'s symmetric KL between the two halves' predictions to their cross-entropy, and
   * so trains the model to answer alike under different dropout masks.
   */
  public void setRDrop(double alpha) {
    this.rDrop = alpha == 0 ? null : new RDropLoss(alpha);
  }

  /** The encoder (its parameters are this model's {@code bert.*}). */
  public BertModel bert() {
    return bert;
  }

  /** Every parameter and gradient, by Hugging Face name. */
  public Parameters parameters() {
    return parameters;
  }

  /** Whether forward passes keep what {@link #backward} needs; see {@link BertModel#setGradEnabled}. */
  @Override
  public void setGradEnabled(boolean enabled) {
    bert.setGradEnabled(enabled);
  }

  @Override
  public boolean isGradEnabled() {
    return bert.isGradEnabled();
  }

  @Override
  public void close() {
    heads.close();
    bert.close();
    current = null;
  }
}
