package dev.jbert.finetune.ood;

import java.util.Arrays;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Mahalanobis distance on the pooled features (Lee et al., 2018): one mean per in-scope class and
 * one covariance shared by all classes ("tied"), fitted on the training set; the in-scope score is
 * minus the smallest squared distance {@code min_c (f − μ_c)ᵀ Σ⁻¹ (f − μ_c)}.
 *
 * <p>Fitting runs in double. The covariance is regularised towards a scaled identity, {@code Σ + λI}
 * with {@code λ = }{@value #SHRINKAGE}{@code · trace(Σ)/d} (0.1% of the mean feature variance), so
 * that it is invertible also with fewer training messages than feature dimensions, then inverted by
 * Cholesky decomposition. Means and precision matrix are kept rounded to float, as they are saved
 * ({@code ood_detectors.safetensors}), so a reloaded detector scores bit for bit as the fitted one;
 * scores are computed in double from them.
 */
public final class MahalanobisDetector implements OodDetector {

  /** Share of the mean variance added to the covariance's diagonal. */
  public static final double SHRINKAGE = 1e-3;

  private final float[][] means;
  private final float[][] precision;
  // (f − μ)ᵀP(f − μ) = fᵀPf − 2 (Pμ)·f + μᵀPμ: with Pμ and μᵀPμ kept, a message costs d² + C·d, not C·d²
  private final double[][] precisionTimesMean;
  private final double[] meanTerm;

  /**
   * A detector of saved parameters.
   *
   * @param means {@code [classes, d]} class means
   * @param precision {@code [d, d]} inverse of the regularised shared covariance
   */
  public MahalanobisDetector(float[][] means, float[][] precision) {
    if (means.length == 0) {
      throw new IllegalArgumentException("no class means");
    }
    int d = precision.length;
    for (float[] row : precision) {
      require(row.length == d, "precision matrix is not square: " + d + " rows, a row of " + row.length);
    }
    for (float[] mean : means) {
      require(mean.length == d, "a class mean has " + mean.length + " values for a " + d + " x " + d + " precision matrix");
    }
    this.means = deepCopy(means);
    this.precision = deepCopy(precision);
    precisionTimesMean = new double[means.length][];
    meanTerm = new double[means.length];
    for (int c = 0; c < means.length; c++) {
      precisionTimesMean[c] = times(this.precision, widen(means[c]));
      meanTerm[c] = dot(precisionTimesMean[c], means[c]);
    }
  }

  /**
   * Fits class means and the shared covariance.
   *
   * @param features {@code [n, d]} pooled features of in-scope training messages
   * @param classes {@code [n]} their class ids; ids that occur get a mean (in increasing id order)
   */
  public static MahalanobisDetector fit(float[][] features, int[] classes) {
    require(features.length == classes.length && features.length > 0,
        "need one class per feature row, at least one row; got " + features.length + " and " + classes.length);
    int d = features[0].length;
    int[] ids = Arrays.stream(classes).distinct().sorted().toArray();
    double[][] sums = new double[ids.length][d];
    int[] counts = new int[ids.length];
    for (int i = 0; i < features.length; i++) {
      require(features[i].length == d, "feature row " + i + " has " + features[i].length + " values, row 0 has " + d);
      int c = Arrays.binarySearch(ids, classes[i]);
      counts[c]++;
      for (int j = 0; j < d; j++) {
        sums[c][j] += features[i][j];
      }
    }
    double[][] mu = new double[ids.length][d];
    for (int c = 0; c < ids.length; c++) {
      for (int j = 0; j < d; j++) {
        mu[c][j] = sums[c][j] / counts[c];
      }
    }
    double[][] cov = new double[d][d];
    double[] centred = new double[d];
    for (int i = 0; i < features.length; i++) {
      double[] m = mu[Arrays.binarySearch(ids, classes[i])];
      for (int j = 0; j < d; j++) {
        centred[j] = features[i][j] - m[j];
      }
      for (int a = 0; a < d; a++) {
        double ca = centred[a];
        for (int b = a; b < d; b++) {
          cov[a][b] += ca * centred[b];
        }
      }
    }
    double trace = 0;
    for (int a = 0; a < d; a++) {
      for (int b = a; b < d; b++) {
        cov[a][b] /= features.length;
        cov[b][a] = cov[a][b];
      }
      trace += cov[a][a];
    }
    double lambda = Math.max(SHRINKAGE * trace / d, 1e-12); // 1e-12: identical features still give a matrix
    for (int a = 0; a < d; a++) {
      cov[a][a] += lambda;
    }
    RealMatrix inverse = new CholeskyDecomposition(MatrixUtils.createRealMatrix(cov), 1e-12, 1e-15).getSolver().getInverse();
    return new MahalanobisDetector(toFloat(mu), toFloat(inverse.getData()));
  }

  @Override
  public DetectorKind kind() {
    return DetectorKind.MAHALANOBIS;
  }

  @Override
  public double score(float[] logits, float[] features) {
    require(features != null && features.length == precision.length,
        "the Mahalanobis detector needs the " + precision.length + " pooled features of the message");
    double[] f = widen(features);
    double fPf = dot(times(precision, f), features);
    double best = Double.POSITIVE_INFINITY;
    for (int c = 0; c < means.length; c++) {
      best = Math.min(best, fPf - 2 * dot(precisionTimesMean[c], features) + meanTerm[c]);
    }
    return -best;
  }

  /** The class means, {@code [classes, d]} (a copy). */
  public float[][] means() {
    return deepCopy(means);
  }

  /** The precision matrix, {@code [d, d]} (a copy). */
  public float[][] precision() {
    return deepCopy(precision);
  }

  private static double[] times(float[][] m, double[] v) {
    double[] out = new double[m.length];
    for (int i = 0; i < m.length; i++) {
      out[i] = dot(v, m[i]);
    }
    return out;
  }

  private static double dot(double[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double[] widen(float[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  private static float[][] toFloat(double[][] m) {
    float[][] out = new float[m.length][];
    for (int i = 0; i < m.length; i++) {
      out[i] = new float[m[i].length];
      for (int j = 0; j < m[i].length; j++) {
        out[i][j] = (float) m[i][j];
      }
    }
    return out;
  }

  private static float[][] deepCopy(float[][] m) {
    float[][] out = new float[m.length][];
    for (int i = 0; i < m.length; i++) {
      out[i] = m[i].clone();
    }
    return out;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
