package dev.jbert.finetune.model;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.finetune.batch.Batch;
import dev.jbert.finetune.batch.BatchPosition;
import dev.jbert.finetune.batch.EncodedExample;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Runs a model forward over many examples in eval mode (no dropout) and returns its logits in input
 * order. Examples are batched by length (shortest first), so batches carry little padding; the
 * model's train/eval mode is restored afterwards.
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
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    int n = examples.size();
    Integer[] byLength = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(byLength, Comparator.comparingInt(i -> examples.get(i).length()));
    float[][] out = new float[n][];
    boolean wasTraining = model.isTraining();
    boolean hadGradients = model.isGradEnabled();
    model.eval();
    model.setGradEnabled(false); // two layers' activations instead of all: nothing here runs backward
    try {
      for (int start = 0, k = 0; start < n; start += batchSize, k++) {
        int[] indices = new int[Math.min(batchSize, n - start)];
        for (int i = 0; i < indices.length; i++) {
          indices[i] = byLength[start + i];
        }
        Batch batch = Batch.collate(examples, indices, padId, new BatchPosition(0, k));
        float[][] rows = model.forward(batch.tokens()).toFloatMatrix();
        for (int row = 0; row < indices.length; row++) {
          out[indices[row]] = rows[row];
        }
      }
    } finally {
      model.setGradEnabled(hadGradients);
      if (wasTraining) {
        model.train();
      }
    }
    return out;
  }
}
