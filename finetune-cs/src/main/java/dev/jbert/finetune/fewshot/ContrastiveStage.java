package dev.jbert.finetune.fewshot;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.BertModel;
import dev.jbert.core.TokenBatch;
import dev.jbert.core.kernel.L2Normalize;
import dev.jbert.core.kernel.MeanPooling;
import dev.jbert.core.nn.CosineSimilarityLoss;
import dev.jbert.finetune.batch.Batch;
import dev.jbert.finetune.batch.BatchPosition;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.train.NonFiniteLossException;
import dev.jbert.finetune.train.StopRequest;
import dev.jbert.finetune.train.TrainingStoppedException;
import dev.jbert.optim.AdamW;
import dev.jbert.optim.LrSchedule;
import dev.jbert.optim.NameFilter;
import dev.jbert.optim.Optimizer;
import dev.jbert.optim.OptimizerConfig;
import dev.jbert.optim.StepResult;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SetFit's two steps on a classifier whose head reads the normalised mean of the tokens
 * ({@code classifier_pooling = normalized_mean}):
 *
 * <ol>
 *   <li>{@link #trainEncoder}: the encoder learns, from pairs of labelled examples, that two messages
 *       of one label have cosine similarity 1 and two of different labels 0 (sentence-transformers'
 *       {@code CosineSimilarityLoss} on mean-pooled embeddings), with AdamW on the encoder only;
 *   <li>{@link #fitHead}: with the encoder fixed, the classifier is fitted on the normalised
 *       embeddings as a logistic regression ({@link LogisticRegressionHead}).
 * </ol>
 *
 * Each pair step runs its left sentences and then its right ones through the encoder as one batch,
 * so that a step is one forward and one backward of {@code 2 × batch} sentences.
 */
public final class ContrastiveStage {

  private static final String HEAD_WEIGHT = "classifier.weight";
  private static final String HEAD_BIAS = "classifier.bias";

  private ContrastiveStage() {}

  /**
   * Trains the encoder of {@code model} on {@code pairs} of {@code examples}; the pooler and the
   * classifier are left as they are.
   *
   * @param padId the tokenizer's padding id
   * @param progress receives a line at the start and every {@code loggingSteps} steps
   * @param stop checked after every step
   * @return the mean loss of the last logging window
   * @throws TrainingStoppedException when {@code stop} is requested (nothing to resume: the stage reruns)
   */
  public static double trainEncoder(BertForSequenceClassification model, List<EncodedExample> examples,
      List<ContrastivePairs.Pair> pairs, int padId, ContrastiveConfig config, Consumer<String> progress, StopRequest stop) {
    int batchesPerEpoch = (pairs.size() + config.batchSize() - 1) / config.batchSize();
    long total = (long) batchesPerEpoch * config.epochs();
    Optimizer optimizer = new AdamW(model.parameters(), OptimizerConfig.builder()
        .lr(config.lr()).weightDecay(config.weightDecay()).maxGradNorm(config.maxGradNorm())
        .schedule(LrSchedule.linearWithWarmup((long) Math.ceil(config.warmupRatio() * total), total))
        .freeze(NameFilter.prefixes("bert.pooler.", "classifier."))
        .build());
    BertModel bert = model.bert();
    model.train();
    model.setGradEnabled(true);
    model.parameters().zeroGrad();
    progress.accept(String.format(Locale.ROOT, "contrastive stage: %d pairs of %d examples, %d epoch(s) x %d steps of %d pairs",
        pairs.size(), examples.size(), config.epochs(), batchesPerEpoch, config.batchSize()));
    CosineSimilarityLoss loss = new CosineSimilarityLoss();
    double windowLoss = 0;
    double lastMean = Double.NaN;
    int windowSteps = 0;
    long windowStart = System.nanoTime();
    long step = 0;
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      for (int b = 0; b < batchesPerEpoch; b++) {
        List<ContrastivePairs.Pair> chunk = pairs.subList(b * config.batchSize(), Math.min(pairs.size(), (b + 1) * config.batchSize()));
        int n = chunk.size();
        int[] rows = new int[2 * n];
        int[] left = new int[n];
        int[] right = new int[n];
        double[] targets = new double[n];
        for (int p = 0; p < n; p++) {
          rows[p] = chunk.get(p).left();
          rows[n + p] = chunk.get(p).right();
          left[p] = p;
          right[p] = n + p;
          targets[p] = chunk.get(p).target();
        }
        TokenBatch tokens = Batch.collate(examples, rows, padId, new BatchPosition(epoch, b)).tokens();
        model.setSeed(config.seed() + step * 0x9E3779B97F4A7C15L);
        INDArray hidden = bert.forward(tokens).lastHiddenState();
        INDArray embeddings = Nd4j.zeros(hidden.dataType(), 2L * n, hidden.size(2));
        MeanPooling.forward(embeddings, hidden, tokens.attentionMask());
        double value = loss.forward(embeddings, left, right, targets);
        if (!Double.isFinite(value)) {
          throw new NonFiniteLossException(step + 1, new BatchPosition(epoch, b), value);
        }
        INDArray dEmbeddings = Nd4j.zeros(hidden.dataType(), 2L * n, hidden.size(2));
        loss.backward(dEmbeddings);
        INDArray dHidden = Nd4j.createUninitialized(hidden.dataType(), hidden.shape());
        MeanPooling.backward(dHidden, dEmbeddings, tokens.attentionMask());
        bert.backward(dHidden, null);
        StepResult result = optimizer.step();
        model.parameters().zeroGrad();
        step++;
        windowLoss += value;
        windowSteps++;
        if (step % config.loggingSteps() == 0 || step == total) {
          double seconds = (System.nanoTime() - windowStart) / 1e9;
          lastMean = windowLoss / windowSteps;
          progress.accept(String.format(Locale.ROOT, "contrastive step %d/%d loss %.4f lr %.3g %.1f seq/s", step, total,
              lastMean, result.lr(), 2.0 * config.batchSize() * windowSteps / seconds));
          windowLoss = 0;
          windowSteps = 0;
          windowStart = System.nanoTime();
        }
        if (stop.isRequested()) {
          throw new TrainingStoppedException(step, null);
        }
      }
    }
    return lastMean;
  }

  /**
   * The normalised mean embedding of every example, with the encoder in eval mode (no dropout) and
   * without gradients: what the {@code normalized_mean} head reads.
   *
   * @return [examples, hidden] in the model's precision
   */
  public static INDArray embed(BertForSequenceClassification model, List<EncodedExample> examples, int padId, int batchSize) {
    boolean grad = model.isGradEnabled();
    boolean training = model.isTraining();
    model.eval();
    model.setGradEnabled(false);
    try {
      int width = model.config().hiddenSize();
      INDArray out = Nd4j.zeros(model.parameters().dataType(), examples.size(), width);
      for (int from = 0; from < examples.size(); from += batchSize) {
        int n = Math.min(batchSize, examples.size() - from);
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
          rows[i] = from + i;
        }
        TokenBatch tokens = Batch.collate(examples, rows, padId, BatchPosition.START).tokens();
        INDArray hidden = model.bert().forward(tokens).lastHiddenState();
        INDArray mean = Nd4j.zeros(hidden.dataType(), n, width);
        MeanPooling.forward(mean, hidden, tokens.attentionMask());
        INDArray unit = Nd4j.zeros(hidden.dataType(), n, width);
        L2Normalize.forward(unit, new double[n], mean);
        for (int i = 0; i < n; i++) {
          out.putRow(from + i, unit.getRow(i));
        }
      }
      return out;
    } finally {
      model.setGradEnabled(grad);
      if (training) {
        model.train();
      }
    }
  }

  /**
   * Fits the classifier of {@code model} as a logistic regression on the embeddings of {@code
   * examples} ({@link #embed}) and writes it into {@code classifier.weight} and {@code classifier.bias}.
   *
   * @return the head's final objective
   */
  public static double fitHead(BertForSequenceClassification model, List<EncodedExample> examples, int padId, int batchSize,
      ContrastiveConfig config) {
    INDArray features = embed(model, examples, padId, batchSize);
    int[] labels = examples.stream().mapToInt(EncodedExample::labelId).toArray();
    LogisticRegressionHead.Fit fit =
        LogisticRegressionHead.fit(features, labels, model.config().numLabels(), config.headC(), config.headIterations());
    model.parameters().value(HEAD_WEIGHT).assign(fit.weight().castTo(model.parameters().dataType()));
    model.parameters().value(HEAD_BIAS).assign(fit.bias().castTo(model.parameters().dataType()));
    model.parameters().changed();
    return fit.loss();
  }
}
