package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.param.ParameterScope;
import dev.jbert.core.param.Parameters;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ParameterScopeTest {

  @Test
  void namesComeFromNestedScopesInDeclarationOrder() {
    ParameterScope root = ParameterScope.root();
    ParameterScope attention = root.pp("encoder").pp("layer").pp(0).pp("attention");
    attention.pp("output").linear("dense", 3, 2);
    root.layerNorm("LayerNorm", 3);
    Parameters p = root.build(DataType.FLOAT);
    assertEquals(List.of("encoder.layer.0.attention.output.dense.weight", "encoder.layer.0.attention.output.dense.bias",
        "LayerNorm.weight", "LayerNorm.bias"), p.names());
    assertArrayEquals(new long[] {3, 2}, p.shape("encoder.layer.0.attention.output.dense.weight"));
  }

  @Test
  void aFusedDeclarationIsOneViewOverAdjacentTensors() {
    ParameterScope root = ParameterScope.root();
    ParameterScope.Tensor w = root.pp("self").fused(List.of("query", "key", "value"), "weight", 2, 4);
    Parameters p = root.build(DataType.DOUBLE);
    assertEquals(List.of("self.query.weight", "self.key.weight", "self.value.weight"), p.names());
    assertArrayEquals(new long[] {6, 4}, w.value().shape());
    p.value("self.key.weight").assign(7.0);
    assertEquals(7.0, w.value().getDouble(2, 0), "rows 2-3 of the fused weight are the key's");
    assertEquals(0.0, w.value().getDouble(1, 3));
    w.grad().putScalar(5, 3, 1.5);
    assertEquals(1.5, p.grad("self.value.weight").getDouble(1, 3), "the fused gradient is the value's too");
  }

  @Test
  void gradientsAreAllocatedOnlyWhenABackwardAsksForThem() {
    ParameterScope root = ParameterScope.root();
    ParameterScope.Linear fc = root.linear("fc", 2, 2);
    Parameters p = root.build(DataType.FLOAT);
    INDArray weight = fc.weight().value();
    assertEquals(4, weight.length());
    assertFalse(p.hasGrads(), "values alone allocate no gradient buffer");
    fc.bias().grad();
    assertTrue(p.hasGrads());
  }

  @Test
  void aModelIsBuiltOnceAndItsHandlesNeedTheBuild() {
    ParameterScope root = ParameterScope.root();
    ParameterScope.Tensor t = root.tensor("t", 2);
    assertThrows(IllegalStateException.class, t::value, "declared, not built");
    root.build(DataType.FLOAT);
    assertThrows(IllegalStateException.class, () -> root.build(DataType.FLOAT));
    assertThrows(IllegalStateException.class, () -> root.tensor("late", 1));
    assertThrows(IllegalArgumentException.class, () -> {
      ParameterScope again = ParameterScope.root();
      again.tensor("x", 1);
      again.tensor("x", 1);
    }, "a name is declared once");
  }

  /** The modules declare Hugging Face's names in the layout the optimizer state and checkpoints were written in. */
  @Test
  void aTaskModelsParameterListIsWhatItsModulesDeclare() {
    BertConfig c = BertConfig.builder().vocabSize(10).hiddenSize(4).numHiddenLayers(1).numAttentionHeads(2)
        .intermediateSize(8).maxPositionEmbeddings(6).labels(List.of("a", "b")).build();
    String l = "bert.encoder.layer.0.";
    List<String> expected = List.of("bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
        "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias",
        l + "attention.self.query.weight", l + "attention.self.key.weight", l + "attention.self.value.weight",
        l + "attention.self.query.bias", l + "attention.self.key.bias", l + "attention.self.value.bias",
        l + "attention.output.dense.weight", l + "attention.output.dense.bias",
        l + "attention.output.LayerNorm.weight", l + "attention.output.LayerNorm.bias",
        l + "intermediate.dense.weight", l + "intermediate.dense.bias", l + "output.dense.weight", l + "output.dense.bias",
        l + "output.LayerNorm.weight", l + "output.LayerNorm.bias", "bert.pooler.dense.weight", "bert.pooler.dense.bias",
        "classifier.weight", "classifier.bias");
    try (BertForSequenceClassification m = new BertForSequenceClassification(c, DataType.FLOAT)) {
      assertEquals(expected, m.parameters().names());
      assertArrayEquals(new long[] {8, 4}, m.parameters().shape(l + "intermediate.dense.weight"));
      assertArrayEquals(new long[] {4, 8}, m.parameters().shape(l + "output.dense.weight"));
      assertArrayEquals(new long[] {2, 4}, m.parameters().shape("classifier.weight"));
    }
    try (BertModel m = new BertModel(c, DataType.FLOAT, false)) {
      assertEquals(expected.subList(0, 21).stream().map(n -> n.substring("bert.".length())).toList(),
          m.parameters().names());
    }
  }
}
