package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.assertGradient;
import static dev.jbert.core.nn.FiniteDifferences.dot;
import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbert.core.kernel.CosineSimilarity;
import dev.jbert.core.kernel.L2Normalize;
import dev.jbert.core.kernel.MeanPooling;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernels of sentence embeddings and of the contrastive (SetFit) stage, in double: mean pooling
 * over the attention mask, L2 normalisation, cosine similarity of row pairs and the MSE-on-cosine
 * loss, each against its definition and its backward against central finite differences.
 */
class SentencePairKernelsTest {

  private static final int[] MASK = {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0};   // 3 rows of 5, padded

  @Test
  void meanPoolingAveragesTheUnmaskedTokensAndItsBackwardMatchesFiniteDifferences() {
    INDArray hidden = random(1, 1.0, 3, 5, 4);
    INDArray out = Nd4j.zeros(DataType.DOUBLE, 3, 4);
    MeanPooling.forward(out, hidden, MASK);
    for (int j = 0; j < 4; j++) {
      assertEquals((hidden.getDouble(1, 0, j) + hidden.getDouble(1, 1, j)) / 2, out.getDouble(1, j), 1e-15);
      assertEquals(hidden.getDouble(2, 0, j), out.getDouble(2, j), 1e-15);   // row 2: only token 0
    }
    INDArray weights = random(2, 1.0, 3, 4);
    INDArray dHidden = Nd4j.valueArrayOf(new long[] {3, 5, 4}, Double.NaN, DataType.DOUBLE);  // every element written
    MeanPooling.backward(dHidden, weights, MASK);
    for (int s = 2; s < 5; s++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(0L, Double.doubleToRawLongBits(dHidden.getDouble(1, s, j)));  // padding gets +0
      }
    }
    assertGradient("hidden", hidden, dHidden, () -> {
      MeanPooling.forward(out, hidden, MASK);
      return dot(out, weights);
    }, 20, 3);
  }

  @Test
  void meanPoolingOfAnAllPaddingRowIsZeroNotNaN() {
    INDArray hidden = random(4, 1.0, 1, 3, 2);
    INDArray out = Nd4j.zeros(DataType.DOUBLE, 1, 2);
    MeanPooling.forward(out, hidden, new int[] {0, 0, 0});
    assertArrayEquals(new double[] {0, 0}, out.toDoubleVector());
    assertThrows(IllegalArgumentException.class, () -> MeanPooling.forward(out, hidden, new int[] {1, 1}));
  }

  @Test
  void l2NormalizeGivesUnitRowsAndItsBackwardMatchesFiniteDifferences() {
    INDArray x = random(5, 2.0, 4, 6);
    INDArray out = Nd4j.zeros(DataType.DOUBLE, 4, 6);
    double[] norms = new double[4];
    L2Normalize.forward(out, norms, x);
    for (int r = 0; r < 4; r++) {
      assertEquals(1.0, out.getRow(r).norm2Number().doubleValue(), 1e-14);
      assertEquals(x.getRow(r).norm2Number().doubleValue(), norms[r], 1e-14);
    }
    INDArray weights = random(6, 1.0, 4, 6);
    INDArray dx = Nd4j.zeros(DataType.DOUBLE, 4, 6);
    L2Normalize.backward(dx, weights, out, norms);
    assertGradient("x", x, dx, () -> {
      L2Normalize.forward(out, new double[4], x);
      return dot(out, weights);
    }, 20, 7);
  }

  @Test
  void cosineSimilarityOfRowPairsMatchesItsDefinitionAndFiniteDifferences() {
    INDArray e = random(8, 1.5, 5, 7);
    int[] left = {0, 1, 2, 0};
    int[] right = {3, 4, 0, 0};                      // a row may be in several pairs, even with itself
    double[] cos = new double[4];
    double[] norms = new double[5];
    CosineSimilarity.forward(cos, norms, e, left, right);
    for (int p = 0; p < 4; p++) {
      INDArray u = e.getRow(left[p]);
      INDArray v = e.getRow(right[p]);
      double expected = u.mul(v).sumNumber().doubleValue() / (u.norm2Number().doubleValue() * v.norm2Number().doubleValue());
      assertEquals(expected, cos[p], 1e-14, "pair " + p);
    }
    assertEquals(1.0, cos[3], 1e-14);
    double[] dcos = {0.7, -1.3, 0.4, 2.0};
    INDArray de = Nd4j.zeros(DataType.DOUBLE, 5, 7);
    CosineSimilarity.backward(de, dcos, e, cos, norms, left, right);
    assertGradient("embeddings", e, de, () -> {
      double[] c = new double[4];
      CosineSimilarity.forward(c, new double[5], e, left, right);
      double s = 0;
      for (int p = 0; p < 4; p++) {
        s += dcos[p] * c[p];
      }
      return s;
    }, 25, 9);
  }

  @Test
  void cosineSimilarityLossIsTheMseOfCosinesAndTargetsAndItsGradientMatchesFiniteDifferences() {
    INDArray e = random(10, 1.0, 6, 5);
    int[] left = {0, 1, 2};
    int[] right = {3, 4, 5};
    double[] targets = {1, 0, 1};
    CosineSimilarityLoss loss = new CosineSimilarityLoss();
    double value = loss.forward(e, left, right, targets);
    double[] cos = loss.similarities();
    double expected = 0;
    for (int p = 0; p < 3; p++) {
      expected += (cos[p] - targets[p]) * (cos[p] - targets[p]) / 3;
    }
    assertEquals(expected, value, 1e-15);
    INDArray de = Nd4j.zeros(DataType.DOUBLE, 6, 5);
    loss.backward(de);
    assertGradient("embeddings", e, de, () -> new CosineSimilarityLoss().forward(e, left, right, targets), 20, 11);
    assertThrows(IllegalArgumentException.class, () -> loss.forward(e, new int[] {0}, new int[] {6}, new double[] {1}));
    assertThrows(IllegalArgumentException.class, () -> loss.forward(e, new int[] {0}, new int[] {1}, new double[] {1, 0}));
  }
}
