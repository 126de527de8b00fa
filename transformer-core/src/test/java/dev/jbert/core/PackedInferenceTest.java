package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbert.core.kernel.MklPackedWeight;
import dev.jbert.core.kernel.PackedWeight;
import dev.jbert.core.param.Parameters;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Values derived from the weights (the packed copies of inference) are made once, shared by the
 * replicas, and dropped by {@link Parameters#changed()}; a model's forward without gradients, which
 * uses them at batch 1, answers as the forward with gradients, which does not.
 */
class PackedInferenceTest {

  private static final int[][] IDS = {{2, 17, 33, 41, 9, 3}};
  private static final String WEIGHT = "bert.encoder.layer.1.intermediate.dense.weight";

  @Test
  void aDerivedValueIsMadeOnceUntilTheParametersChange() {
    Parameters p = Parameters.builder().add("w", 2, 3).build(DataType.FLOAT);
    AtomicInteger made = new AtomicInteger();
    Object first = p.derived("w#pack", Object.class, () -> new Object[] {made.incrementAndGet()});
    assertSame(first, p.derived("w#pack", Object.class, () -> new Object[] {made.incrementAndGet()}));
    assertEquals(1, made.get());
    p.changed();
    assertNotSame(first, p.derived("w#pack", Object.class, () -> new Object[] {made.incrementAndGet()}));
    assertEquals(2, made.get());
  }

  @Test
  void aForwardWithoutGradientsUsesThePackedWeightsAndSeesChangesWhenTold() throws Exception {
    assumeTrue(MklPackedWeight.preferred() || PackedWeight.preferred(),
        "models pack their weights only with MKL, or with the Vector API on 16-float vectors (AVX-512)");
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(
        SharedData.model("tiny-random-bert"), DataType.FLOAT)) {
      model.eval();
      float[] viaBlas = model.forward(IDS, null, null).toFloatVector();      // gradients on: the weights as stored
      model.setGradEnabled(false);
      float[] packed = model.forward(IDS, null, null).toFloatVector();
      assertArrayEquals(viaBlas, packed, 1e-5f);

      model.parameters().value(WEIGHT).muli(3);                              // written without saying so
      assertArrayEquals(packed, model.forward(IDS, null, null).toFloatVector(), 0f,
          "the packed copies are kept until the parameters are told they changed");
      try (BertForSequenceClassification replica = model.replica()) {
        replica.setGradEnabled(false);
        assertArrayEquals(packed, replica.forward(IDS, null, null).toFloatVector(), 0f, "a replica shares them");
      }

      model.parameters().changed();
      float[] fresh = model.forward(IDS, null, null).toFloatVector();
      model.setGradEnabled(true);
      assertArrayEquals(model.forward(IDS, null, null).toFloatVector(), fresh, 1e-5f);
      assertEquals(false, java.util.Arrays.equals(packed, fresh), "tripling a weight moved the logits");
    }
  }
}
