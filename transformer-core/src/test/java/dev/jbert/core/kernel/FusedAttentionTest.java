package dev.jbert.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.config.BertConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused inference attention against {@link Attention#forward} on DOUBLE arrays (the reference
 * path: permuted views, {@code cblas_dgemm}, the plain softmax): sequences that are not whole
 * vectors of keys nor whole tiles of query rows, padded keys, head widths 32 and 64, several
 * sequences cut over the threads. Runs where the kernel does ({@link PackedWeight#preferred()}).
 */
class FusedAttentionTest {

  @ParameterizedTest(name = "batch {0}, seq {1}, {2} heads of {3}")
  @CsvSource({"1, 32, 12, 32", "3, 7, 2, 32", "2, 45, 2, 64", "4, 130, 3, 32", "1, 1, 1, 32"})
  void matchesTheDoubleReference(int batch, int seq, int heads, int d) {
    assumeTrue(PackedWeight.preferred(), "the fused kernel runs with the Vector API on 16-float vectors (AVX-512)");
    int rows = batch * seq;
    int hidden = heads * d;
    Random random = new Random(seq * 31 + d);
    double[] maskAdd = new double[rows];
    for (int b = 0; b < batch; b++) {
      int tokens = b == 2 ? 0 : Math.max(1, seq - b * 3);      // sequence b ends 3·b tokens early; the third has none
      for (int j = tokens; j < seq; j++) {
        maskAdd[b * seq + j] = Attention.MASK_VALUE;
      }
    }
    INDArray qkv = Nd4j.create(gaussians(random, rows * 3 * hidden, 2.0), new long[] {rows, 3 * hidden}, DataType.DOUBLE);
    INDArray bias = Nd4j.create(gaussians(random, 3 * hidden, 0.5), new long[] {3 * hidden}, DataType.DOUBLE);
    INDArray expected = Nd4j.zeros(DataType.DOUBLE, rows, hidden);
    Attention.forward(expected, Nd4j.zeros(DataType.DOUBLE, (long) batch * heads, seq, seq), null, qkv.dup(), bias,
        maskAdd, heads, null);

    INDArray out = Nd4j.zeros(DataType.FLOAT, rows, hidden).addi(7);   // every element must be written
    FusedAttention.forward(out, qkv.castTo(DataType.FLOAT), bias.castTo(DataType.FLOAT), maskAdd, heads, seq);

    double worst = 0;
    for (int i = 0; i < rows * hidden; i++) {
      double e = expected.getDouble(i / hidden, i % hidden);
      worst = Math.max(worst, Math.abs(out.getDouble(i / hidden, i % hidden) - e) / (1 + Math.abs(e)));
    }
    assertTrue(worst < 2e-5, "worst error " + worst);
  }

  @Test
  void refusesWhatItDoesNotRun() {
    assertFalse(FusedAttention.supports(DataType.DOUBLE, 32), "DOUBLE runs the reference path");
    assumeTrue(PackedWeight.preferred());
    assertFalse(FusedAttention.supports(DataType.FLOAT, 8), "heads narrower than two vectors");
    INDArray qkv = Nd4j.zeros(DataType.FLOAT, 4, 3 * 16);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FusedAttention.forward(Nd4j.zeros(DataType.FLOAT, 4, 16), qkv, Nd4j.zeros(DataType.FLOAT, 48),
            new double[4], 2, 4));
    assertTrue(e.getMessage().contains("2 heads"), e.getMessage());
  }

  /** A model's forward without gradients (fused) answers as with gradients (the batched path). */
  @Test
  void aModelAnswersTheSameWithAndWithoutGradients() {
    assumeTrue(PackedWeight.preferred());
    BertConfig c = BertConfig.builder().vocabSize(50).hiddenSize(64).numHiddenLayers(2).numAttentionHeads(2)
        .intermediateSize(96).maxPositionEmbeddings(40).build().withLabels(List.of("a", "b", "c"));
    int[][] ids = {{2, 17, 33, 41, 9, 3, 0, 0}, {2, 5, 6, 7, 8, 9, 10, 3}};
    int[][] mask = {{1, 1, 1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}};
    try (BertForSequenceClassification model = new BertForSequenceClassification(c, DataType.FLOAT)) {
      model.eval();
      float[] batched = model.forward(ids, null, mask).dup().ravel().toFloatVector();
      model.setGradEnabled(false);
      float[] fused = model.forward(ids, null, mask).dup().ravel().toFloatVector();
      assertEquals(batched.length, fused.length);
      for (int i = 0; i < fused.length; i++) {
        assertEquals(batched[i], fused[i], 1e-5, "logit " + i);
      }
    }
  }

  /**
   * Inference that runs the fused kernel holds no probabilities; a forward in train mode without
   * gradients (dropout on the probabilities: the batched path) gets them, and the dropped ones, when
   * it first needs them, and eval answers as before afterwards.
   */
  @Test
  void inferenceAllocatesTheBatchedBuffersOnlyWhenItTakesThatPath() {
    assumeTrue(PackedWeight.preferred());
    int batch = 2, seq = 8, hidden = 64, heads = 2;
    BertConfig c = BertConfig.builder().vocabSize(50).hiddenSize(hidden).numHiddenLayers(2).numAttentionHeads(heads)
        .intermediateSize(96).maxPositionEmbeddings(40).build().withLabels(List.of("a", "b"));
    int[][] ids = {{2, 17, 33, 41, 9, 3, 0, 0}, {2, 5, 6, 7, 8, 9, 10, 3}};
    try (BertForSequenceClassification model = new BertForSequenceClassification(c, DataType.FLOAT)) {
      model.eval();
      model.setGradEnabled(false);
      float[] fused = model.forward(ids, null, null).dup().ravel().toFloatVector();
      long fusedBytes = model.bert().activationBytes();
      model.train();
      float[] dropped = model.forward(ids, null, null).dup().ravel().toFloatVector();
      // probs and dropped probs [batch·heads, seq, seq], in floats
      long batchedBytes = 4L * 2L * batch * heads * seq * seq;
      assertTrue(model.bert().activationBytes() - fusedBytes >= batchedBytes,
          "eval " + fusedBytes + " bytes, train " + model.bert().activationBytes());
      assertFalse(Arrays.equals(fused, dropped), "dropout acted in train mode");
      model.eval();
      float[] again = model.forward(ids, null, null).dup().ravel().toFloatVector();
      assertTrue(Arrays.equals(fused, again), "eval after the batched path answers as before");
    }
  }

  private static double[] gaussians(Random random, int n, double sd) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextGaussian() * sd;
    }
    return v;
  }
}
