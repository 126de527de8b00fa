package dev.jbert.finetune.model;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.finetune.batch.Batch;
import dev.jbert.finetune.batch.BatchPosition;
import dev.jbert.finetune.batch.EncodedExample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model forward over many examples in eval mode (no dropout) and returns its logits in input
 * order. Examples are batched by length (shortest first), so batches carry little padding; the
 * model's train/eval mode is restored afterwards.
 *
 * <p>Identical inputs (same ids and segments) run once and share their logits. Besides saving the
 * work on repeated messages ("thanks", "ok"), this keeps equal inputs exactly tied: a float result
 * depends in its last bits on the batch an input lands in (padding, GEMM blocking), so two copies
 * in different batches would otherwise differ by ~1e-8, and rank metrics (Spearman) would then
 * depend on the batch size: {@code metrics.json} and {@code jbert eval} disagreed on the same data.
 */
public final class Inference {

  private Inference() {}

  /**
   * Logits of every example, {@code [n, numLabels]}, in the order of {@code examples}.
   *
   * @param padId the id padding cells get
   * @param batchSize examples per forward pass
   */
  public static float[][] logits(BertForSequenceClassification model, List<EncodedExample> examples, int padId, int batchSize) {
    return outputs(model, examples, padId, batchSize, false).logits();
  }

  /**
   * The head's logits and, when asked, the features it read (the pooled output), in input order.
   *
   * @param logits {@code [n, numLabels]}
   * @param features {@code [n, hidden]} pooled outputs, or null when not asked for
   */
  public record Outputs(float[][] logits, float[][] features) {}

  /**
   * Logits of every example and, with {@code withFeatures}, the pooled output the classifier read
   * (what distance-based out-of-scope detectors measure), in the order of {@code examples}.
   */
  public static Outputs outputs(BertForSequenceClassification model, List<EncodedExample> examples, int padId, int batchSize,
      boolean withFeatures) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    int n = examples.size();
    int[] sameAs = new int[n]; // index of the first example with the same input
    List<Integer> distinct = new ArrayList<>();
    Map<Input, Integer> seen = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Integer first = seen.putIfAbsent(new Input(examples.get(i)), i);
      sameAs[i] = first == null ? i : first;
      if (first == null) {
        distinct.add(i);
      }
    }
    Integer[] byLength = distinct.toArray(Integer[]::new);
    Arrays.sort(byLength, Comparator.comparingInt(i -> examples.get(i).length())); // stable: ties keep input order
    int m = byLength.length;
    float[][] out = new float[n][];
    float[][] features = withFeatures ? new float[n][] : null;
    boolean wasTraining = model.isTraining();
    boolean hadGradients = model.isGradEnabled();
    model.eval();
    model.setGradEnabled(false); // one layer's activations instead of all: nothing here runs backward
    try {
      for (int start = 0, k = 0; start < m; start += batchSize, k++) {
        int[] indices = new int[Math.min(batchSize, m - start)];
        for (int i = 0; i < indices.length; i++) {
          indices[i] = byLength[start + i];
        }
        Batch batch = Batch.collate(examples, indices, padId, new BatchPosition(0, k));
        float[][] rows = model.forward(batch.tokens()).toFloatMatrix();
        float[][] pooled = withFeatures ? model.pooledOutput().toFloatMatrix() : null;
        for (int row = 0; row < indices.length; row++) {
          out[indices[row]] = rows[row];
          if (withFeatures) {
            features[indices[row]] = pooled[row];
          }
        }
      }
    } finally {
      model.setGradEnabled(hadGradients);
      if (wasTraining) {
        model.train();
      }
    }
    for (int i = 0; i < n; i++) {
      if (sameAs[i] != i) {
        out[i] = out[sameAs[i]].clone();
        if (withFeatures) {
          features[i] = features[sameAs[i]].clone();
        }
      }
    }
    return new Outputs(out, features);
  }

  /** An example's model input, compared by content. */
  private static final class Input {
    private final int[] ids;
    private final int[] types;
    private final int hash;

    Input(EncodedExample e) {
      ids = e.inputIds();
      types = e.tokenTypeIds();
      hash = 31 * Arrays.hashCode(ids) + Arrays.hashCode(types);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Input other && Arrays.equals(ids, other.ids) && Arrays.equals(types, other.types);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
