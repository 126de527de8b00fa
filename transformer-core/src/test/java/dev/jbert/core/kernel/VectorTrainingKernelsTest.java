package dev.jbert.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API row steps that training runs where the vectors hold 16 floats ({@link
 * VectorLayerNorm}, {@link VectorGelu}'s slope, {@link VectorDropout}, {@link VectorSoftmax}) against the plain code that
 * runs elsewhere: the same floats, so that a run's weights do not depend on which ran.
 */
class VectorTrainingKernelsTest {

  /**
   * Each value goes once through a vector lane and once through the scalar tail (the plain loop's
   * formula): GELU and its slope agree to the bit, over the range the clamp and the exp cut.
   */
  @Test
  void geluSlopeLanesGiveThePlainLoopsFloats() {
    assumeTrue(PackedWeight.wideVectors(), "16-float vectors");
    Random random = new Random(3);
    float[] values = new float[4096];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * 4);
    }
    values[0] = 0f;
    values[1] = -0f;
    values[2] = 30f;
    values[3] = -30f;
    int width = 17;                                    // one vector, then a tail of one
    float[] bias = new float[width];
    for (float value : values) {
      float[] row = new float[width];
      row[0] = value;
      row[16] = value;
      float[] slope = new float[width];
      VectorGelu.slope(row, bias, slope, width);
      VectorGelu.forward(row, 0, width, bias, 0);
      assertEquals(row[16], row[0], 0f, "gelu(" + value + ")");
      assertEquals(slope[16], slope[0], 0f, "slope at " + value);
    }
  }

  /** Layer norm's forward and backward rows: {@link PlainLayerNorm} gives {@link VectorLayerNorm}'s floats. */
  @Test
  void layerNormRowsGiveTheVectorRowsFloats() {
    assumeTrue(PackedWeight.wideVectors(), "16-float vectors");
    Random random = new Random(5);
    DropoutMask mask = DropoutMask.of(0.1, 77);
    for (int width : new int[] {32, 768}) {
      float[] x = gaussian(random, 3 * width, 2f, 0.5f);
      float[] residual = gaussian(random, 3 * width, 1f, 0f);
      float[] bias = gaussian(random, width, 0.1f, 0f);
      float[] gamma = gaussian(random, width, 0.1f, 1f);
      float[] beta = gaussian(random, width, 0.1f, 0f);
      float[] plain = x.clone();
      float[] vector = x.clone();
      for (int row = 0; row < 3; row++) {
        DropoutMask m = row == 1 ? null : mask;
        float[] r = row == 2 ? null : residual;
        double p = PlainLayerNorm.normalise(plain, row * width, width, bias, m, row * width, r, 1e-12);
        double v = VectorLayerNorm.normalise(vector, row * width, width, bias, m, row * width, r, 1e-12);
        assertEquals(p, v, 0.0, "rstd, width " + width + ", row " + row);
      }
      assertArrayEquals(plain, vector, "x̂, width " + width);
      float[] xhat = plain.clone();
      PlainLayerNorm.affine(plain, width, width, gamma, beta);
      VectorLayerNorm.affine(vector, width, width, gamma, beta);
      assertArrayEquals(plain, vector, "γ·x̂ + β, width " + width);

      float[] dy = gaussian(random, width, 1f, 0f);
      float[] dPlain = dy.clone();
      float[] dVector = dy.clone();
      float[] dGammaPlain = gaussian(random, width, 1f, 0f);
      float[] dGammaVector = dGammaPlain.clone();
      float[] dBetaPlain = gaussian(random, width, 1f, 0f);
      float[] dBetaVector = dBetaPlain.clone();
      float[] row = java.util.Arrays.copyOfRange(xhat, width, 2 * width);
      PlainLayerNorm.backward(dPlain, row, gamma, dGammaPlain, dBetaPlain, 1.7f, width);
      VectorLayerNorm.backward(dVector, row, gamma, dGammaVector, dBetaVector, 1.7f, width);
      assertArrayEquals(dPlain, dVector, "dx, width " + width);
      assertArrayEquals(dGammaPlain, dGammaVector, "dγ, width " + width);
      assertArrayEquals(dBetaPlain, dBetaVector, "dβ, width " + width);
    }
  }

  /**
   * The masked softmax's rows before their sum: {@link VectorSoftmax}'s scale, mask, maximum and
   * exponential give the plain loops' floats, at lengths with and without a scalar tail, with padded
   * keys masked.
   */
  @Test
  void softmaxRowsGiveThePlainLoopsFloats() {
    assumeTrue(PackedWeight.wideVectors(), "16-float vectors");
    Random random = new Random(9);
    for (int seq : new int[] {13, 64, 128, 131}) {
      int rows = 5;
      float[] scores = gaussian(random, rows * seq, 6f, 0f);
      float[] mask = new float[seq];
      for (int j = seq - 3; j < seq; j++) {
        mask[j] = (float) Attention.MASK_VALUE;        // the last three keys padded
      }
      float[] plain = scores.clone();
      float[] vector = scores.clone();
      MaskedSoftmax.scaleMaskShift(plain, rows, seq, 0.125f, mask, 0);
      Functions.expNonPositive(plain, 0, plain.length);
      for (int o = 0; o < rows * seq; o += seq) {
        VectorSoftmax.expShifted(vector, o, seq, VectorSoftmax.scaleMaskMax(vector, o, seq, 0.125f, mask, 0));
      }
      assertArrayEquals(plain, vector, "exp(s·scale + mask − max), seq " + seq);
      assertEquals(0f, vector[seq - 1], "a padded key's weight");
    }
  }

  private static float[] gaussian(Random random, int n, float scale, float shift) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) random.nextGaussian() * scale + shift;
    }
    return a;
  }

  /** The vector dropout zeroes exactly the elements the per-element hash drops, from any offset. */
  @Test
  void vectorDropoutDropsWhatThePlainHashDrops() {
    DropoutMask mask = DropoutMask.of(0.3, 0x1234_5678_9ABCL);
    int len = 1000;
    for (int from : new int[] {0, 5, 1 << 20}) {
      float[] f = new float[len];
      double[] d = new double[len];
      for (int i = 0; i < len; i++) {
        f[i] = 1f + i;
        d[i] = 1.0 + i;
      }
      mask.applyInPlace(from, f, 0, len);                // the vector form where it runs
      mask.applyInPlace(from, d, 0, len);                // element by element
      int dropped = 0;
      for (int i = 0; i < len; i++) {
        assertEquals((float) d[i], f[i], 1e-6f * (1 + i), "element " + (from + i));
        dropped += f[i] == 0f ? 1 : 0;
      }
      assertEquals(0.3, dropped / (double) len, 0.05, "drop rate");
    }
  }
}
