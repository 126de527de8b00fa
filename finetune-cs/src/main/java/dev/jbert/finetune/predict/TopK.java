package dev.jbert.finetune.predict;

import dev.jbert.finetune.labels.LabelMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The k most probable labels of each row of logits. */
public final class TopK {

  private TopK() {}

  /**
   * The {@code k} most probable labels of one row of probabilities, most probable first; equal
   * probabilities keep id order. {@code k} larger than the number of classes gives all of them.
   */
  public static List<ScoredLabel> of(double[] probabilities, LabelMap labels, int k) {
    if (probabilities.length != labels.size()) {
      throw new IllegalArgumentException(probabilities.length + " probabilities for " + labels.size() + " labels");
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    List<ScoredLabel> all = new ArrayList<>(probabilities.length);
    for (int id = 0; id < probabilities.length; id++) {
      all.add(new ScoredLabel(labels.label(id), id, probabilities[id]));
    }
    all.sort(Comparator.comparingDouble(ScoredLabel::score).reversed().thenComparingInt(ScoredLabel::id));
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  /** Top-k of each row of {@code [batch, classes]} logits, after softmax. */
  public static List<List<ScoredLabel>> fromLogits(double[][] logits, LabelMap labels, int k) {
    List<List<ScoredLabel>> out = new ArrayList<>(logits.length);
    for (double[] row : logits) {
      out.add(of(Softmax.of(row), labels, k));
    }
    return out;
  }

  /** Top-k of each row of {@code [batch, classes]} float logits, after softmax. */
  public static List<List<ScoredLabel>> fromLogits(float[][] logits, LabelMap labels, int k) {
    return fromLogits(logits, labels, k, 1.0);
  }

  /**
   * Top-k of each row of {@code [batch, classes]} float logits, after softmax of {@code logits /
   * temperature} (a model's calibration temperature; 1 = none).
   */
  public static List<List<ScoredLabel>> fromLogits(float[][] logits, LabelMap labels, int k, double temperature) {
    List<List<ScoredLabel>> out = new ArrayList<>(logits.length);
    for (float[] row : logits) {
      out.add(of(Softmax.of(row, temperature), labels, k));
    }
    return out;
  }
}
