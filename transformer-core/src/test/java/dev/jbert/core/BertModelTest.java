package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.config.BertConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BertModelTest {

  private static final BertConfig TINY = BertConfig.builder().vocabSize(20).hiddenSize(8).numHiddenLayers(2)
      .numAttentionHeads(2).intermediateSize(12).maxPositionEmbeddings(8).initializerRange(0.3)
      .labels(List.of("a", "b", "c")).build();

  @Test
  void paddingDoesNotChangeTheRealTokensAndShapesShareOneArena() {
    try (BertModel model = new BertModel(TINY, DataType.DOUBLE)) {
      model.eval();
      INDArray alone = model.forward(new int[][] {{2, 5, 9, 3}}, null, null).lastHiddenState().dup();
      INDArray padded = model.forward(new int[][] {{2, 5, 9, 3, 0, 0}, {2, 7, 7, 7, 7, 3}}, null,
          new int[][] {{1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}}).lastHiddenState();
      INDArray firstRow = padded.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
          org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4), org.nd4j.linalg.indexing.NDArrayIndex.all());
      assertTrue(alone.reshape(4, 8).equalsWithEps(firstRow, 1e-12));
      long capacity = model.activationCapacityBytes();
      INDArray again = model.forward(new int[][] {{2, 5, 9, 3}}, null, null).lastHiddenState();
      assertEquals(alone, again, "a shape built again from the arena gives the same result");
      model.forward(new int[][] {{2, 5, 3}, {2, 6, 3}}, null, null);
      assertEquals(capacity, model.activationCapacityBytes(), "smaller shapes reuse the arena");
    }
  }

  /**
   * The pooler's head needs the last layer's first tokens only: computed alone, the logits and every
   * gradient are those of the last layer over all tokens (which the encoder computes when asked for
   * its hidden states), padding included, and the activations are smaller.
   */
  @Test
  void thePoolersHeadComputesTheLastLayersFirstTokensOnlyWithTheSameLogitsAndGradients() {
    int[][] ids = {{2, 5, 9, 3, 4, 6}, {2, 4, 3, 0, 0, 0}};
    int[][] mask = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}};
    for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      try (BertForSequenceClassification model = new BertForSequenceClassification(TINY, dt)) {
        model.eval();
        INDArray[] firstTokens = logitsAndGradients(model, ids, mask);
        long firstTokenBytes = model.bert().activationBytes();
        model.bert().setOutputHiddenStates(true);                    // hidden states: every token of every layer
        INDArray[] allTokens = logitsAndGradients(model, ids, mask);
        double eps = dt == DataType.DOUBLE ? 1e-13 : 1e-6;
        assertTrue(allTokens[0].equalsWithEps(firstTokens[0], eps), dt + " logits " + firstTokens[0] + " vs " + allTokens[0]);
        assertTrue(allTokens[1].equalsWithEps(firstTokens[1], eps), dt + ": the same gradients");
        assertTrue(firstTokenBytes < model.bert().activationBytes(),
            dt + ": " + firstTokenBytes + " bytes vs " + model.bert().activationBytes());
      }
    }
    try (BertModel encoder = new BertModel(TINY, DataType.FLOAT)) {                 // its own forward: every token
      assertEquals(6, encoder.forward(ids, null, mask).lastHiddenState().size(1));
    }
  }

  /** Logits and the flat gradients of one forward, loss and backward from zeroed gradients. */
  private static INDArray[] logitsAndGradients(BertForSequenceClassification model, int[][] ids, int[][] mask) {
    model.parameters().zeroGrad();
    INDArray logits = model.forward(ids, null, mask).dup();
    model.loss(new int[] {1, 2});
    model.backward();
    return new INDArray[] {logits, model.parameters().grads().dup()};
  }

  @Test
  void trainingModeWithASeedIsReproducibleAndEvalIsDeterministic() {
    try (BertForSequenceClassification model = new BertForSequenceClassification(TINY, DataType.FLOAT)) {
      int[][] ids = {{2, 5, 9, 3, 4, 6, 7, 1}};
      model.train();
      model.setSeed(5);
      INDArray first = model.forward(ids, null, null).dup();
      INDArray second = model.forward(ids, null, null).dup();
      model.setSeed(5);
      INDArray replay = model.forward(ids, null, null).dup();
      assertEquals(first, replay);
      assertNotEquals(first, second, "a new mask per call");
      model.setDropoutEnabled(false);
      INDArray off = model.forward(ids, null, null).dup();
      model.eval();
      model.setDropoutEnabled(true);
      assertEquals(off, model.forward(ids, null, null).dup(), "switched-off dropout equals eval mode");
    }
  }

  @Test
  void withGradientsDisabledOutputsAreTheSameFromFewerBuffersAndBackwardFails() {
    BertConfig fiveLayers = BertConfig.builder().vocabSize(20).hiddenSize(8).numHiddenLayers(5).numAttentionHeads(2)
        .intermediateSize(12).maxPositionEmbeddings(8).initializerRange(0.3).labels(List.of("a", "b", "c")).build();
    int[][] ids = {{2, 5, 9, 3, 4, 6}, {2, 4, 3, 0, 0, 0}};
    int[][] mask = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}};
    for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      try (BertForSequenceClassification model = new BertForSequenceClassification(fiveLayers, dt)) {
        model.eval();
        INDArray logits = model.forward(ids, null, mask).dup();
        long withGradients = model.bert().activationBytes();
        model.setGradEnabled(false);
        assertEquals(logits, model.forward(ids, null, mask), dt + ": the same logits, bit for bit");
        assertTrue(model.bert().activationBytes() < withGradients * 0.7,
            dt + ": " + model.bert().activationBytes() + " bytes without gradients vs " + withGradients);
        model.loss(new int[] {1, 2});
        IllegalStateException e = assertThrows(IllegalStateException.class, model::backward);
        assertTrue(e.getMessage().contains("setGradEnabled(false)"), e.getMessage());
        assertEquals(0.0, model.parameters().grads().amaxNumber().doubleValue(), "nothing was accumulated");

        model.train();
        model.setSeed(3);
        INDArray dropped = model.forward(ids, null, mask).dup();
        model.setGradEnabled(true);
        model.setSeed(3);
        assertEquals(dropped, model.forward(ids, null, mask), dt + ": the same dropout masks in both plans");
        model.loss(new int[] {1, 2});
        model.backward();
        assertTrue(model.parameters().grads().amaxNumber().doubleValue() > 0, "gradients again once enabled");
      }
    }
  }

  @Test
  void aModelThatOnlyPredictsHoldsNoGradientBuffer() {
    try (BertForSequenceClassification model = new BertForSequenceClassification(TINY, DataType.FLOAT)) {
      model.eval();
      model.setGradEnabled(false);
      INDArray logits = model.forward(new int[][] {{2, 5, 9, 3}}, null, null).dup();
      assertTrue(!model.parameters().hasGrads(), "no gradient buffer after a forward without gradients");
      model.setGradEnabled(true);
      assertEquals(logits, model.forward(new int[][] {{2, 5, 9, 3}}, null, null));
      model.loss(new int[] {1});
      model.backward();
      assertTrue(model.parameters().hasGrads());
      assertTrue(model.parameters().grads().amaxNumber().doubleValue() > 0);
    }
  }

  @Test
  void hiddenStatesWithGradientsDisabledAreEveryLayersOwn() {
    try (BertModel model = new BertModel(TINY.toBuilder().numHiddenLayers(4).build(), DataType.DOUBLE)) {
      model.eval();
      model.setOutputHiddenStates(true);
      int[][] ids = {{2, 5, 9, 3}};
      List<INDArray> expected = model.forward(ids, null, null).hiddenStates().stream().map(INDArray::dup).toList();
      model.setGradEnabled(false);
      assertEquals(expected, model.forward(ids, null, null).hiddenStates());
      assertEquals(5, expected.size());
      model.setOutputHiddenStates(false);
      assertEquals(expected.get(4), model.forward(ids, null, null).lastHiddenState());
    }
  }

  @Test
  void gradientsAccumulateUntilZeroed() {
    try (BertForSequenceClassification model = new BertForSequenceClassification(TINY, DataType.DOUBLE)) {
      model.eval();
      int[][] ids = {{2, 5, 9, 3}, {2, 4, 3, 0}};
      int[][] mask = {{1, 1, 1, 1}, {1, 1, 1, 0}};
      model.forward(ids, null, mask);
      model.loss(new int[] {1, 2});
      model.backward();
      INDArray once = model.parameters().grads().dup();
      model.forward(ids, null, mask);
      model.loss(new int[] {1, 2});
      model.backward();
      assertTrue(model.parameters().grads().equalsWithEps(once.mul(2), 1e-12));
      model.parameters().zeroGrad();
      assertEquals(0.0, model.parameters().grads().amaxNumber().doubleValue());
    }
  }

  @Test
  void badInputsAreRejectedWithTheirPosition() {
    try (BertModel model = new BertModel(TINY, DataType.FLOAT)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.forward(new int[][] {{2, 3}, {2, 25}}, null, null));
      assertEquals("input_ids[1][1] = 25 is outside the vocabulary [0, 20)", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> model.forward(new int[][] {new int[9]}, null, null));
      assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> model.forward(new int[][] {{2, 3}}, new int[][] {{0, 2}}, null));
      assertTrue(e.getMessage().contains("token_type_ids[0][1]"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> model.forward(new int[][] {{2, 3}}, null, new int[][] {{1, 2}}));
      assertTrue(e.getMessage().contains("attention_mask[0][1]"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> model.backward(Nd4j.zeros(1, 2, 8), null), "before any forward");
      model.forward(new int[][] {{2, 3}}, null, null);
      e = assertThrows(IllegalArgumentException.class, () -> model.backward(Nd4j.zeros(DataType.FLOAT, 1, 3, 8), null));
      assertTrue(e.getMessage().contains("[1, 2, 8]"), e.getMessage());
    }
  }

  @Test
  void lossNeedsLabelsOfTheConfiguredProblemType() {
    try (BertForSequenceClassification model = new BertForSequenceClassification(TINY, DataType.FLOAT)) {
      model.forward(new int[][] {{2, 3}}, null, null);
      assertThrows(IllegalStateException.class, () -> model.loss(new double[] {1.0, 2.0, 3.0}));
      assertThrows(IllegalStateException.class, model::backward, "no loss yet");
    }
  }

  /** A backward from both outputs, run twice, accumulates exactly twice the gradient of one. */
  @Test
  void repeatedBackwardFromHiddenStateAndPooledOutputAccumulatesTheSameGradient() {
    try (BertModel model = new BertModel(TINY, DataType.DOUBLE)) {
      model.eval();
      int[][] ids = {{2, 5, 9, 3}, {2, 7, 3, 0}};
      int[][] mask = {{1, 1, 1, 1}, {1, 1, 1, 0}};
      INDArray dLast = Nd4j.rand(DataType.DOUBLE, 2, 4, 8);
      INDArray dPooled = Nd4j.rand(DataType.DOUBLE, 2, 8);
      model.forward(ids, null, mask);
      model.backward(dLast, dPooled);
      INDArray once = model.parameters().grads().dup();
      model.forward(ids, null, mask);
      model.backward(dLast, dPooled);
      INDArray twice = model.parameters().grads();
      assertTrue(twice.equalsWithEps(once.mul(2), 1e-12), "the second backward adds the same gradient");
      model.parameters().zeroGrad();
      model.forward(ids, null, mask);
      model.backward(null, dPooled);
      try (BertModel fresh = new BertModel(TINY, DataType.DOUBLE)) {   // same seed, same weights
        fresh.eval();
        fresh.forward(ids, null, mask);
        fresh.backward(null, dPooled);
        assertEquals(fresh.parameters().grads(), model.parameters().grads(), "then from the pooled output alone");
      }
    }
  }
}
