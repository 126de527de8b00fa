package dev.jbert.core;

import static dev.jbert.core.nn.FiniteDifferences.assertParameterGradients;

import dev.jbert.core.config.BertConfig;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The whole classifier on a tiny random config (3 layers, so that layers 0 and 2 share gradient
 * buffers), in double: finite differences of the loss against
 * {@code backward()} for a few elements of every parameter, in training mode with dropout (the
 * masks fixed by reseeding), a padded row, class weights and label smoothing, and for regression.
 */
class ModelGradientCheckTest {

  private static final int[][] IDS = {{2, 7, 11, 5, 3}, {2, 9, 3, 0, 0}};
  private static final int[][] TYPES = {{0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}};
  private static final int[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};

  private static BertConfig config(List<String> labels, String problemType) {
    return BertConfig.builder().vocabSize(13).hiddenSize(8).numHiddenLayers(3).numAttentionHeads(2)
        .intermediateSize(12).maxPositionEmbeddings(6).initializerRange(0.4).labels(labels).problemType(problemType)
        .hiddenDropoutProb(0.1).attentionProbsDropoutProb(0.1).build();
  }

  @Test
  void classificationGradientsMatchFiniteDifferences() {
    try (BertForSequenceClassification model =
        new BertForSequenceClassification(config(List.of("a", "b", "c"), null), DataType.DOUBLE)) {
      model.train();
      model.setCrossEntropyOptions(new double[] {1.0, 2.0, 0.5}, 0.1);
      TokenBatch batch = TokenBatch.of(IDS, TYPES, MASK);
      int[] labels = {2, 0};
      DoubleSupplier loss = () -> {
        model.setSeed(17);
        model.forward(batch);
        return model.loss(labels);
      };
      model.parameters().zeroGrad();
      loss.getAsDouble();
      model.backward();
      assertParameterGradients(model.parameters(), loss, 3, 1);
    }
  }

  /**
   * R-Drop: the batch twice over, each copy under its own dropout masks, cross-entropy plus the
   * symmetric KL between the copies' predictions; the term's value is what {@code RDropLoss} gives
   * on the logits, and without dropout (eval) the copies agree and the term vanishes.
   */
  @Test
  void rDropGradientsMatchFiniteDifferences() {
    try (BertForSequenceClassification model =
        new BertForSequenceClassification(config(List.of("a", "b", "c"), null), DataType.DOUBLE)) {
      model.train();
      model.setCrossEntropyOptions(null, 0.1);
      TokenBatch batch = TokenBatch.of(IDS, TYPES, MASK).twice();
      int[] labels = {2, 0, 2, 0};
      DoubleSupplier loss = () -> {
        model.setSeed(29);
        model.forward(batch);
        return model.loss(labels);
      };
      model.setRDrop(0.0);
      double crossEntropy = loss.getAsDouble();
      model.setRDrop(2.0);
      model.parameters().zeroGrad();
      double withTerm = loss.getAsDouble();
      model.setSeed(29);
      double term = new dev.jbert.core.nn.RDropLoss(2.0).forward(model.forward(batch));
      org.junit.jupiter.api.Assertions.assertTrue(term > 1e-6, "dropout made the copies differ: " + term);
      org.junit.jupiter.api.Assertions.assertEquals(crossEntropy + term, withTerm, 1e-12);
      model.setSeed(29);
      model.forward(batch);
      model.loss(labels);
      model.backward();
      assertParameterGradients(model.parameters(), loss, 3, 7);

      model.eval();
      model.forward(batch);
      model.setRDrop(0.0);
      double evalCrossEntropy = model.loss(labels);
      model.setRDrop(2.0);
      org.junit.jupiter.api.Assertions.assertEquals(evalCrossEntropy, model.loss(labels), 1e-12);
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> model.loss(new int[] {2, 0, 0, 2}));
    }
  }

  /**
   * The mean heads (sentence encoders, few-shot models): mean pooling over the mask, the L2 norm for
   * normalized_mean, classifier, back into every layer.
   */
  @ParameterizedTest
  @ValueSource(strings = {BertConfig.MEAN, BertConfig.NORMALIZED_MEAN})
  void meanHeadGradientsMatchFiniteDifferences(String pooling) throws Exception {
    BertConfig config = config(List.of("a", "b", "c"), null).withClassifierPooling(pooling);
    try (BertForSequenceClassification model = new BertForSequenceClassification(config, DataType.DOUBLE)) {
      model.train();
      TokenBatch batch = TokenBatch.of(IDS, TYPES, MASK);
      int[] labels = {1, 2};
      DoubleSupplier loss = () -> {
        model.setSeed(23);
        model.forward(batch);
        return model.loss(labels);
      };
      model.parameters().zeroGrad();
      loss.getAsDouble();
      model.backward();
      assertParameterGradients(model.parameters(), loss, 3, 5);
      // the pooler is not on the path: its gradient is exactly zero, and the padded tokens do not move the logits
      org.junit.jupiter.api.Assertions.assertEquals(0.0,
          model.parameters().grad("bert.pooler.dense.weight").norm2Number().doubleValue());
      model.eval();
      double[] before = model.forward(batch).dup().reshape(-1).toDoubleVector();
      int[][] otherPadding = {IDS[0], {2, 9, 3, 12, 4}};
      double[] after = model.forward(TokenBatch.of(otherPadding, TYPES, MASK)).dup().reshape(-1).toDoubleVector();
      org.junit.jupiter.api.Assertions.assertArrayEquals(before, after, 1e-12);
    }
  }

  @Test
  void regressionGradientsMatchFiniteDifferences() {
    try (BertForSequenceClassification model =
        new BertForSequenceClassification(config(List.of("score"), "regression"), DataType.DOUBLE)) {
      model.eval();
      TokenBatch batch = TokenBatch.of(IDS, TYPES, MASK);
      double[] targets = {0.5, -1.0};
      DoubleSupplier loss = () -> {
        model.forward(batch);
        return model.loss(targets);
      };
      model.parameters().zeroGrad();
      loss.getAsDouble();
      model.backward();
      assertParameterGradients(model.parameters(), loss, 3, 2);
    }
  }
}
