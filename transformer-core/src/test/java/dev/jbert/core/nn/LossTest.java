package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.assertGradient;
import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LossTest {

  private static final double[][] LOGITS = {{0.3, -1.2, 2.0, 0.5}, {1.5, 0.1, -0.7, 0.0}, {-0.2, 0.4, 0.9, -1.1}};
  private static final int[] LABELS = {2, 0, 3};
  private static final double[] WEIGHTS = {0.5, 2.0, 1.0, 3.0};

  /**
   * torch 1.13 float64 {@code F.cross_entropy(LOGITS, LABELS, weight, label_smoothing)}: loss and
   * d loss / d logits (row-major), for (no weights, 0), (no weights, 0.1), (WEIGHTS, 0), (WEIGHTS, 0.2).
   */
  private static final Object[][] TORCH = {
    {null, 0.0, 1.1855980438033786, new double[] {0.04209561939692773, 0.009392802297583831, -0.10290412733237986,
        0.05141570563786828, -0.12243365173018861, 0.05200722117958698, 0.023368350819239037, 0.04705807973136254,
        0.05348004420524611, 0.09744699399209444, 0.16066293176055368, -0.31158996995789423}},
    {null, 0.1, 1.2447647104700454, new double[] {0.0337622860635944, 0.0010594689642505002, -0.07790412733237985,
        0.043082372304534954, -0.09743365173018856, 0.04367388784625366, 0.015035017485905711, 0.038724746398029225,
        0.045146710871912785, 0.08911366065876113, 0.15232959842722038, -0.2865899699578942}},
    {WEIGHTS, 0.0, 1.9527961662562083, new double[] {0.028063746264618487, 0.006261868198389221, -0.0686027515549199,
        0.034277137091912185, -0.0408112172433962, 0.01733574039319566, 0.007789450273079679, 0.01568602657712085,
        0.10696008841049222, 0.1948939879841889, 0.32132586352110737, -0.6231799399157885}},
    {WEIGHTS, 0.2, 1.9946720647179212, new double[] {0.026016158992140243, -0.015177620499034348, -0.016066984388173777,
        0.005228445895067879, 0.007490401663742164, 0.0029146013479114797, 0.00018359178485442249, -0.010588594796508104,
        0.09159985808397487, 0.15480648353008267, 0.2807598815872281, -0.5271662232012856}},
  };

  @Test
  void crossEntropyMatchesTorchWithClassWeightsAndLabelSmoothing() {
    INDArray logits = Nd4j.createFromArray(LOGITS);
    for (Object[] c : TORCH) {
      CrossEntropyLoss ce = new CrossEntropyLoss((double[]) c[0], (double) c[1]);
      assertEquals((double) c[2], ce.forward(logits, LABELS), 1e-15, "loss " + java.util.Arrays.toString((double[]) c[0]) + " " + c[1]);
      INDArray d = Nd4j.zeros(DataType.DOUBLE, 3, 4);
      ce.backward(d);
      double[] expected = (double[]) c[3];
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], d.getDouble(i / 4, i % 4), 1e-15, "grad " + i);
      }
    }
  }

  @Test
  void crossEntropyGradientMatchesFiniteDifferences() {
    INDArray logits = random(61, 2.0, 5, 4);
    int[] labels = {0, 3, 3, 1, 2};
    CrossEntropyLoss ce = new CrossEntropyLoss(WEIGHTS, 0.15);
    ce.forward(logits, labels);
    INDArray d = Nd4j.zeros(DataType.DOUBLE, 5, 4);
    ce.backward(d);
    assertGradient("logits", logits, d, () -> ce.forward(logits, labels), 20, 62);
  }

  @Test
  void mseIsTheMeanSquareAndItsGradientMatchesFiniteDifferences() {
    INDArray logits = random(63, 1.0, 4, 1);
    double[] targets = {0.75, -1.25, 2.5, 0.0};
    MseLoss mse = new MseLoss();
    double expected = 0;
    for (int i = 0; i < 4; i++) {
      expected += Math.pow(logits.getDouble(i, 0) - targets[i], 2) / 4;
    }
    assertEquals(expected, mse.forward(logits, targets), 1e-15);
    INDArray d = Nd4j.zeros(DataType.DOUBLE, 4, 1);
    mse.backward(d);
    assertGradient("logits", logits, d, () -> mse.forward(logits, targets), 4, 64);
  }

  /** R-Drop's term against KL(p‖q) = Σ p·log(p/q) written out from the softmaxes, and its gradient. */
  @Test
  void rDropTermIsTheMeanSymmetricKlAndItsGradientMatchesFiniteDifferences() {
    INDArray logits = random(65, 2.0, 6, 4); // 3 inputs, each twice
    RDropLoss rDrop = new RDropLoss(1.5);
    double expected = 0;
    for (int b = 0; b < 3; b++) {
      double[] p = softmax(logits.getRow(b).toDoubleVector());
      double[] q = softmax(logits.getRow(b + 3).toDoubleVector());
      for (int c = 0; c < 4; c++) {
        expected += p[c] * Math.log(p[c] / q[c]) + q[c] * Math.log(q[c] / p[c]);
      }
    }
    expected = 1.5 * 0.5 * expected / 3;
    assertEquals(expected, rDrop.forward(logits), 1e-14);
    INDArray d = Nd4j.ones(DataType.DOUBLE, 6, 4); // backwardAdd adds to what is there
    rDrop.backwardAdd(d);
    INDArray added = d.sub(1.0);
    assertGradient("logits", logits, added, () -> rDrop.forward(logits), 24, 66);
    // two equal halves: no divergence, no gradient
    INDArray same = Nd4j.concat(0, logits.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)),
        logits.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)));
    assertEquals(0.0, rDrop.forward(same), 0.0);
    INDArray zero = Nd4j.zeros(DataType.DOUBLE, 6, 4);
    rDrop.backwardAdd(zero);
    assertEquals(0.0, zero.norm2Number().doubleValue(), 1e-15);
  }

  private static double[] softmax(double[] z) {
    double sum = 0;
    double[] e = new double[z.length];
    for (int c = 0; c < z.length; c++) {
      e[c] = Math.exp(z[c]);
      sum += e[c];
    }
    for (int c = 0; c < z.length; c++) {
      e[c] /= sum;
    }
    return e;
  }

  @Test
  void badLabelsAreRejectedWithTheirPosition() {
    CrossEntropyLoss ce = new CrossEntropyLoss(null, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ce.forward(Nd4j.createFromArray(LOGITS), new int[] {0, 4, 1}));
    assertEquals("label 4 at batch index 1 is outside [0, 4)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(null, 1.5));
    assertEquals("R-Drop needs each input twice (a batch of 2B rows), got 3 rows",
        assertThrows(IllegalArgumentException.class, () -> new RDropLoss(1).forward(Nd4j.createFromArray(LOGITS))).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RDropLoss(0));
    assertThrows(IllegalArgumentException.class, () -> new RDropLoss(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new MseLoss().forward(Nd4j.zeros(DataType.DOUBLE, 2, 1), new double[3]));
  }
}
