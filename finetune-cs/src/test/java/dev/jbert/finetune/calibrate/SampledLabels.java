package dev.jbert.finetune.calibrate;

import java.util.Random;

/**
 * Logits z ~ N(0, spread²) per class and gold labels drawn from softmax(z / temperature): a model
 * whose logits are z is mis-calibrated by exactly that temperature (over-confident above 1).
 *
 * @param logits [n, classes]
 * @param gold [n] the drawn labels
 */
record SampledLabels(float[][] logits, int[] gold) {

  static SampledLabels draw(int n, int classes, double spread, double temperature, long seed) {
    Random random = new Random(seed);
    float[][] logits = new float[n][classes];
    int[] gold = new int[n];
    double[] p = new double[classes];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        logits[i][c] = (float) (spread * random.nextGaussian());
        p[c] = Math.exp(logits[i][c] / temperature);
        sum += p[c];
      }
      double u = random.nextDouble() * sum;
      int c = 0;
      while (c < classes - 1 && (u -= p[c]) > 0) {
        c++;
      }
      gold[i] = c;
    }
    return new SampledLabels(logits, gold);
  }
}
