package dev.jbert.finetune.eval;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.calibrate.TemperatureScaling;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.encode.TextEncoder;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.metrics.ClassificationMetrics;
import dev.jbert.finetune.metrics.RegressionMetrics;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Inference;
import dev.jbert.finetune.predict.Softmax;
import java.util.List;

/**
 * Scores a model on labelled examples (eval mode, no dropout): classification metrics from the most
 * probable class, regression metrics from the single output. Probabilities (the loss and each
 * prediction's confidence) are {@code softmax(logits / T)} with the calibration temperature {@code T}
 * ({@link #withTemperature}; a loaded model folder's own by {@link #of}); the predicted class does
 * not depend on it. Not thread-safe: it runs the model, whose buffers are shared.
 */
public final class Evaluator {

  private final BertForSequenceClassification model;
  private final TextEncoder encoder;
  private final LabelMap labels;
  private final int batchSize;
  private final double temperature;

  /**
   * An evaluator without calibration (temperature 1).
   *
   * @param labels the head's classes, or null for a regression model
   * @param batchSize examples per forward pass
   */
  public Evaluator(BertForSequenceClassification model, TextEncoder encoder, LabelMap labels, int batchSize) {
    this(model, encoder, labels, batchSize, 1.0);
  }

  private Evaluator(BertForSequenceClassification model, TextEncoder encoder, LabelMap labels, int batchSize,
      double temperature) {
    TemperatureScaling.requireValid(temperature);
    if (labels != null && labels.size() != model.config().numLabels()) {
      throw new IllegalArgumentException(labels.size() + " labels for a head of " + model.config().numLabels() + " outputs");
    }
    this.model = model;
    this.encoder = encoder;
    this.labels = labels;
    this.batchSize = batchSize;
    this.temperature = temperature;
  }

  /** An evaluator of a loaded model folder: its classifier, encoder, labels and calibration temperature. */
  public static Evaluator of(FineTunedModel model, int batchSize) {
    return new Evaluator(model.model(), model.encoder(), model.labels(), batchSize, model.settings().temperature());
  }

  /** The same evaluator computing probabilities as {@code softmax(logits / temperature)}. */
  public Evaluator withTemperature(double value) {
    return new Evaluator(model, encoder, labels, batchSize, value);
  }

  /**
   * Encodes and scores {@code examples}.
   *
   * @throws dev.jbert.finetune.data.DataFileException naming file and line for a label the model has
   *     never seen, or an example without a target
   */
  public Evaluation evaluate(List<Example> examples) {
    return evaluateEncoded(encoder.encodeAll(examples, labels));
  }

  /** Scores examples already encoded with their targets (by {@link TextEncoder#encode}). */
  public Evaluation evaluateEncoded(List<EncodedExample> examples) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("no examples to evaluate");
    }
    return evaluateLogits(examples, Inference.logits(model, examples, encoder.padId(), batchSize));
  }

  /**
   * Scores examples encoded with their targets from their logits, already computed (e.g. by {@link
   * Inference#outputs}, with the features an out-of-scope detector reads).
   *
   * @param logits {@code [n, numLabels]}, in the order of {@code examples}
   */
  public Evaluation evaluateLogits(List<EncodedExample> examples, float[][] logits) {
    if (examples.isEmpty() || logits.length != examples.size()) {
      throw new IllegalArgumentException(examples.isEmpty() ? "no examples to evaluate"
          : logits.length + " rows of logits for " + examples.size() + " examples");
    }
    return labels == null ? regression(examples, logits) : classification(examples, logits);
  }

  private Evaluation classification(List<EncodedExample> examples, float[][] logits) {
    int n = examples.size();
    int[] gold = new int[n];
    int[] predicted = new int[n];
    double[] confidence = new double[n];
    double nll = 0;
    for (int i = 0; i < n; i++) {
      double[] p = Softmax.of(logits[i], temperature);
      gold[i] = examples.get(i).labelId();
      int best = 0;
      for (int c = 1; c < p.length; c++) {
        if (p[c] > p[best]) {
          best = c;
        }
      }
      predicted[i] = best;
      confidence[i] = p[best];
      nll += TemperatureScaling.logSumExp(logits[i], temperature) - logits[i][gold[i]] / temperature; // −log softmax, no underflow to log(0)
    }
    ClassificationMetrics metrics = ClassificationMetrics.compute(gold, predicted, labels.labels());
    return new Evaluation(nll / n, metrics, null, predicted, confidence, gold, new double[0]);
  }

  private Evaluation regression(List<EncodedExample> examples, float[][] logits) {
    int n = examples.size();
    double[] gold = new double[n];
    double[] scores = new double[n];
    for (int i = 0; i < n; i++) {
      gold[i] = examples.get(i).score();
      scores[i] = logits[i][0];
    }
    RegressionMetrics metrics = RegressionMetrics.compute(gold, scores);
    return new Evaluation(metrics.mse(), null, metrics, new int[0], new double[0], new int[0], scores);
  }
}
