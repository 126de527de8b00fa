package dev.jbert.finetune.train;

/**
 * Inverse-frequency class weights, scikit-learn's {@code compute_class_weight("balanced")}: {@code
 * w_c = n / (k · count_c)}, so every class contributes the same total weight to the loss and the
 * weights average to 1 over the examples.
 */
public final class ClassWeights {

  private ClassWeights() {}

  /**
   * @param labelIds {@code [n]} class id of each training example
   * @param classes number of classes k
   * @throws IllegalArgumentException when a class has no example (its weight would be infinite)
   */
  public static double[] balanced(int[] labelIds, int classes) {
    long[] counts = new long[classes];
    for (int id : labelIds) {
      counts[id]++;
    }
    double[] weights = new double[classes];
    for (int c = 0; c < classes; c++) {
      if (counts[c] == 0) {
        throw new IllegalArgumentException("class " + c + " has no training example, so it has no balanced weight");
      }
      weights[c] = (double) labelIds.length / ((double) classes * counts[c]);
    }
    return weights;
  }
}
