package dev.jbert.core.nn;

import static dev.jbert.core.nn.FiniteDifferences.assertGradient;
import static dev.jbert.core.nn.FiniteDifferences.assertModuleGradients;
import static dev.jbert.core.nn.FiniteDifferences.assertParameterGradients;
import static dev.jbert.core.nn.FiniteDifferences.dot;
import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.param.Parameters;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SelfAttentionTest {

  private static final int BATCH = 2;
  private static final int SEQ = 4;
  private static final int HIDDEN = 6;
  private static final int HEADS = 2;

  /** Row 0 attends to all keys, row 1 to its first two (the rest is padding). */
  private static double[] mask() {
    double[] m = new double[BATCH * SEQ];
    m[SEQ + 2] = dev.jbert.core.kernel.Attention.MASK_VALUE;
    m[SEQ + 3] = dev.jbert.core.kernel.Attention.MASK_VALUE;
    return m;
  }

  @Test
  void forwardMatchesNaiveMultiHeadAttention() {
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Built.SelfAttention att = new Built.SelfAttention("att", Built.config(HIDDEN, HEADS, HIDDEN, 0.0, 0.0), new TrainingMode(1), buffers,
          DataType.DOUBLE, 31, 0.7, BATCH, SEQ);
      Parameters p = att.p;
      INDArray x = random(32, 1.0, BATCH * SEQ, HIDDEN);
      INDArray out = att.forward(x, mask());
      INDArray q = x.mmul(p.value("att.query.weight").transpose()).addiRowVector(p.value("att.query.bias"));
      INDArray k = x.mmul(p.value("att.key.weight").transpose()).addiRowVector(p.value("att.key.bias"));
      INDArray v = x.mmul(p.value("att.value.weight").transpose()).addiRowVector(p.value("att.value.bias"));
      int d = HIDDEN / HEADS;
      for (int b = 0; b < BATCH; b++) {
        int valid = b == 0 ? SEQ : 2;
        for (int h = 0; h < HEADS; h++) {
          for (int i = 0; i < SEQ; i++) {
            double[] w = new double[valid];
            double sum = 0;
            for (int j = 0; j < valid; j++) {
              double s = 0;
              for (int c = 0; c < d; c++) {
                s += q.getDouble(b * SEQ + i, h * d + c) * k.getDouble(b * SEQ + j, h * d + c);
              }
              w[j] = Math.exp(s / Math.sqrt(d));
              sum += w[j];
            }
            for (int c = 0; c < d; c++) {
              double ctx = 0;
              for (int j = 0; j < valid; j++) {
                ctx += w[j] / sum * v.getDouble(b * SEQ + j, h * d + c);
              }
              assertEquals(ctx, out.getDouble(b * SEQ + i, h * d + c), 1e-13, "b" + b + " h" + h + " i" + i + " c" + c);
            }
          }
        }
      }
    }
  }

  @Test
  void backwardWithPaddingMaskMatchesFiniteDifferences() {
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Built.SelfAttention att = new Built.SelfAttention("att", Built.config(HIDDEN, HEADS, HIDDEN, 0.0, 0.0), new TrainingMode(1), buffers,
          DataType.DOUBLE, 31, 0.7, BATCH, SEQ);
      Parameters p = att.p;
      INDArray x = random(33, 1.0, BATCH * SEQ, HIDDEN);
      INDArray dy = random(34, 1.0, BATCH * SEQ, HIDDEN);
      double[] mask = mask();
      att.forward(x, mask);
      INDArray dx = att.backward(dy).dup();
      assertGradient("x", x, dx, () -> dot(att.forward(x, mask), dy), 15, 35);
      assertParameterGradients(p, () -> dot(att.forward(x, mask), dy), 8, 36);
    }
  }

  @Test
  void backwardWithAttentionDropoutAndAFixedMaskMatchesFiniteDifferences() {
    TrainingMode mode = new TrainingMode(7);
    mode.setTraining(true);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Built.SelfAttention att = new Built.SelfAttention("att", Built.config(HIDDEN, HEADS, HIDDEN, 0.0, 0.3), mode, buffers,
          DataType.DOUBLE, 31, 0.7, BATCH, SEQ);
      Parameters p = att.p;
      INDArray x = random(37, 1.0, BATCH * SEQ, HIDDEN);
      INDArray dy = random(38, 1.0, BATCH * SEQ, HIDDEN);
      double[] mask = mask();
      assertModuleGradients(mode, 99, in -> att.forward(in, mask), att::backward, x, dy, p, 6, 39);
    }
  }

  /**
   * Only each sequence's first token asking (a classifier's last layer): its context is the first
   * row of the full attention's, and the backward, dropout and padding included, matches finite
   * differences.
   */
  @Test
  void firstTokensAloneGetTheFullContextsFirstRowsAndTheirGradients() {
    BertConfig c = Built.config(HIDDEN, HEADS, HIDDEN, 0.0, 0.3);
    TrainingMode mode = new TrainingMode(7);
    try (Buffers buffers = new Buffers(DataType.DOUBLE)) {
      Built.SelfAttention all = new Built.SelfAttention("att", c, mode, buffers, DataType.DOUBLE, 31, 0.7, BATCH, SEQ);
      Built.SelfAttention first = new Built.SelfAttention("att", c, mode, buffers, DataType.DOUBLE, 31, 0.7, BATCH, SEQ, 1);
      INDArray x = random(41, 1.0, BATCH * SEQ, HIDDEN);
      double[] mask = mask();
      INDArray full = all.forward(x, mask);
      INDArray firstRows = first.forward(x, mask);
      assertEquals(BATCH, firstRows.size(0));
      for (int b = 0; b < BATCH; b++) {
        assertTrue(full.getRow(b * SEQ).equalsWithEps(firstRows.getRow(b), 1e-14), "sequence " + b);
      }

      mode.setTraining(true);
      INDArray dy = random(42, 1.0, BATCH, HIDDEN);
      assertModuleGradients(mode, 99, in -> first.forward(in, mask), first::backward, x, dy, first.p, 8, 43);
    }
  }
}
