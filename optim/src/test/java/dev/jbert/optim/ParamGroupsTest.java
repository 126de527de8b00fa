package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.param.Parameters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Groups by name: HF's weight-decay rule, freezing recipes, LLRD multipliers, per-element vectors. */
class ParamGroupsTest {

  private static final Parameters PARAMS = TinyLayout.random(DataType.DOUBLE, 1);

  @Test
  void hfRuleDecaysWeightsButNotBiasesOrLayerNorm() {
    ParamGroups g = ParamGroups.of(PARAMS, OptimizerConfig.builder().weightDecay(0.01).build());
    Map<String, Double> expected = Map.ofEntries(
        Map.entry("bert.embeddings.word_embeddings.weight", 0.01),
        Map.entry("bert.embeddings.LayerNorm.weight", 0.0),
        Map.entry("bert.embeddings.LayerNorm.bias", 0.0),
        Map.entry("bert.encoder.layer.0.attention.self.query.weight", 0.01),
        Map.entry("bert.encoder.layer.0.attention.self.query.bias", 0.0),
        Map.entry("bert.encoder.layer.0.output.LayerNorm.weight", 0.0),
        Map.entry("bert.encoder.layer.1.attention.self.query.weight", 0.01),
        Map.entry("bert.encoder.layer.1.attention.self.query.bias", 0.0),
        Map.entry("bert.encoder.layer.1.output.LayerNorm.bias", 0.0),
        Map.entry("bert.pooler.dense.weight", 0.01),
        Map.entry("bert.pooler.dense.bias", 0.0),
        Map.entry("classifier.weight", 0.01),
        Map.entry("classifier.bias", 0.0));
    for (ParamGroups.TensorGroup t : g.tensors()) {
      assertEquals(expected.get(t.name()), t.weightDecay(), 0.0, t.name());
      assertTrue(t.trainable());
      assertEquals(1.0, t.lrMultiplier(), 0.0);
    }
    assertFalse(g.hasLrMultipliers());
    assertEquals(new ParamGroups.Range(0, PARAMS.size()), g.span());
  }

  @Test
  void llrdMultipliersFromLayerIndex() {
    ParamGroups g = ParamGroups.of(PARAMS, OptimizerConfig.builder().layerwiseLrDecay(0.5).build());
    // 2 layers: L = 3; embeddings depth 0 -> 0.5^3, layer 0 -> 0.5^2, layer 1 -> 0.5, head -> 1
    assertEquals(0.125, g.group("bert.embeddings.word_embeddings.weight").lrMultiplier(), 0.0);
    assertEquals(0.125, g.group("bert.embeddings.LayerNorm.bias").lrMultiplier(), 0.0);
    assertEquals(0.25, g.group("bert.encoder.layer.0.attention.self.query.weight").lrMultiplier(), 0.0);
    assertEquals(0.5, g.group("bert.encoder.layer.1.output.LayerNorm.bias").lrMultiplier(), 0.0);
    assertEquals(1.0, g.group("bert.pooler.dense.weight").lrMultiplier(), 0.0);
    assertEquals(1.0, g.group("classifier.bias").lrMultiplier(), 0.0);
    assertTrue(g.hasLrMultipliers());

    // base-model names (no "bert." prefix), 12 layers: layer 11 -> d, layer 0 -> d^12, embeddings d^13
    LayerwiseLrDecay llrd = LayerwiseLrDecay.forNames(0.9,
        List.of("embeddings.word_embeddings.weight", "encoder.layer.0.output.dense.weight", "encoder.layer.11.output.dense.weight", "pooler.dense.bias"));
    assertEquals(12, llrd.numLayers());
    assertEquals(Math.pow(0.9, 13), llrd.multiplier("embeddings.word_embeddings.weight"), 1e-16);
    assertEquals(Math.pow(0.9, 12), llrd.multiplier("encoder.layer.0.output.dense.weight"), 1e-16);
    assertEquals(0.9, llrd.multiplier("encoder.layer.11.output.dense.weight"), 1e-16);
    assertEquals(1.0, llrd.multiplier("pooler.dense.bias"), 0.0);
    assertThrows(IllegalArgumentException.class, () -> llrd.multiplier("encoder.layer.12.output.dense.weight"));
  }

  @Test
  void freezingRecipeFreezesEmbeddingsAndLowerLayersAndShrinksTheSpan() {
    ParamGroups g = ParamGroups.of(PARAMS, OptimizerConfig.builder().weightDecay(0.01)
        .freeze(NameFilter.embeddingsAndLowerLayers(1)).layerwiseLrDecay(0.5).build());
    assertEquals(List.of(
        "bert.encoder.layer.1.attention.self.query.weight", "bert.encoder.layer.1.attention.self.query.bias",
        "bert.encoder.layer.1.output.LayerNorm.bias", "bert.pooler.dense.weight", "bert.pooler.dense.bias",
        "classifier.weight", "classifier.bias"), g.trainableNames());
    ParamGroups.TensorGroup frozen = g.group("bert.embeddings.word_embeddings.weight");
    assertEquals(0.0, frozen.weightDecay(), 0.0);
    assertEquals(0.0, frozen.lrMultiplier(), 0.0);
    long start = PARAMS.offset("bert.encoder.layer.1.attention.self.query.weight");
    assertEquals(new ParamGroups.Range(start, PARAMS.size()), g.span());
    assertTrue(g.frozenRangesInSpan().isEmpty());
    assertTrue(g.summary().startsWith("trainable 7/13 tensors (" + (PARAMS.size() - start) + "/" + PARAMS.size() + " scalars), 3 decayed"),
        g.summary());
    // per-element vectors over the span: decay where weights, multiplier 0.5 on layer 1
    double[] scaled = g.scaledWeightDecayVector(DataType.DOUBLE).toDoubleVector();
    assertEquals(0.005, scaled[0], 1e-18); // layer 1 query weight: 0.5 * 0.01
    int biasAt = (int) (PARAMS.offset("bert.encoder.layer.1.attention.self.query.bias") - start);
    assertEquals(0.0, scaled[biasAt], 0.0);
  }

  @Test
  void frozenTensorsInsideTheSpanAreMergedIntoRuns() {
    ParamGroups g = ParamGroups.of(PARAMS, OptimizerConfig.builder()
        .freeze(NameFilter.regex("^bert\\.encoder\\.layer\\.0\\.|^bert\\.embeddings\\.word")).build());
    long start = PARAMS.offset("bert.embeddings.LayerNorm.weight");
    long layer0 = PARAMS.offset("bert.encoder.layer.0.attention.self.query.weight");
    long layer1 = PARAMS.offset("bert.encoder.layer.1.attention.self.query.weight");
    assertEquals(start, g.span().start());
    assertEquals(List.of(new ParamGroups.Range(layer0, layer1)), g.frozenRangesInSpan());
    double[] lr = g.lrMultiplierVector(DataType.DOUBLE).toDoubleVector();
    assertEquals(1.0, lr[0], 0.0);
    assertEquals(0.0, lr[(int) (layer0 - start)], 0.0);
    assertEquals(0.0, lr[(int) (layer1 - start - 1)], 0.0);
    assertEquals(1.0, lr[(int) (layer1 - start)], 0.0);
  }

  @Test
  void tinyRandomBertFrozenRecipeMatchesTheReferenceTrainableList() throws Exception {
    TorchAdamwReference ref = TorchAdamwReference.load("adamw_steps_frozen.json");
    Parameters params = ref.initialParameters(DataType.FLOAT);
    // the reference froze by prefix; the recipe by layer index must pick the same tensors
    ParamGroups byRecipe = ParamGroups.of(params, OptimizerConfig.builder().freeze(NameFilter.embeddingsAndLowerLayers(1)).build());
    ParamGroups byPrefix = ParamGroups.of(params, ref.config());
    assertEquals(ref.trainableNames(), byRecipe.trainableNames());
    assertEquals(ref.trainableNames(), byPrefix.trainableNames());
    long decayed = byPrefix.tensors().stream().filter(t -> t.weightDecay() > 0).count();
    assertEquals(8, decayed, "layer 1: q,k,v,o,intermediate,output weights; pooler; classifier");
  }

  @Test
  void badFiltersAreRejectedWithTheirDescription() {
    IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
        () -> ParamGroups.of(PARAMS, OptimizerConfig.builder().freeze(NameFilter.prefixes("bert.embedings.")).build()));
    assertTrue(typo.getMessage().contains("bert.embedings."), typo.getMessage());
    IllegalArgumentException all = assertThrows(IllegalArgumentException.class,
        () -> ParamGroups.of(PARAMS, OptimizerConfig.builder().freeze(NameFilter.regex(".")).build()));
    assertTrue(all.getMessage().contains("every parameter"), all.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NameFilter.regex("(unclosed"));
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.builder().betas(1.0, 0.999).build());
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.builder().layerwiseLrDecay(0).build());
  }
}
