package dev.jbert.finetune.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.model.HandOff;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionTest {

  private static final LabelMap LABELS = LabelMap.sorted(List.of("a", "b", "c", "d"));

  @Test
  void softmaxByHandAndWithHugeLogits() {
    double[] p = Softmax.of(new double[] {0, Math.log(2), Math.log(3), Math.log(4)});
    assertEquals(0.1, p[0], 1e-15);
    assertEquals(0.4, p[3], 1e-15);
    double[] big = Softmax.of(new float[] {1000f, 1000f, -1000f});
    assertEquals(0.5, big[0], 1e-15);
    assertEquals(0.0, big[2], 1e-300);
  }

  @Test
  void topKIsOrderedByProbabilityThenId() {
    List<ScoredLabel> top = TopK.of(new double[] {0.1, 0.4, 0.1, 0.4}, LABELS, 3);
    assertEquals(List.of("b", "d", "a"), top.stream().map(ScoredLabel::label).toList());
    assertEquals(0.4, top.get(0).score());
    assertEquals(4, TopK.of(new double[] {0.25, 0.25, 0.25, 0.25}, LABELS, 10).size());
    List<List<ScoredLabel>> rows = TopK.fromLogits(new float[][] {{0f, 3f, 1f, 2f}, {5f, 0f, 0f, 0f}}, LABELS, 2);
    assertEquals(List.of("b", "d"), rows.get(0).stream().map(ScoredLabel::label).toList());
    assertEquals("a", rows.get(1).get(0).label());
  }

  @Test
  void lowConfidenceIsHandedOff() {
    HandOff handOff = new HandOff(0.5, "转人工");
    Prediction sure = Prediction.of(TopK.of(new double[] {0.1, 0.6, 0.2, 0.1}, LABELS, 2), handOff);
    assertEquals("b", sure.label());
    assertFalse(sure.handedOff());
    Prediction unsure = Prediction.of(TopK.of(new double[] {0.3, 0.4, 0.2, 0.1}, LABELS, 2), handOff);
    assertEquals("转人工", unsure.label());
    assertTrue(unsure.handedOff());
    assertEquals(0.4, unsure.score());
    assertEquals("b", unsure.topK().get(0).label(), "the candidates stay available to the agent");
  }

  @Test
  void thresholdForTargetPrecision() {
    // Sorted by confidence: .95 ✓, .9 ✓, .8 ✗, .7 ✓, .6 ✓, .5 ✗, .4 ✗
    double[] confidence = {0.5, 0.9, 0.7, 0.95, 0.4, 0.8, 0.6};
    boolean[] correct = {false, true, true, true, false, false, true};
    // Prefix precisions: 1, 1, 2/3, 3/4, 4/5, 4/6, 4/7.
    ThresholdPicker.Choice c80 = ThresholdPicker.forPrecision(confidence, correct, 0.8);
    assertEquals(0.6, c80.threshold(), "lowest threshold still at 80%");
    assertEquals(0.8, c80.precision(), 1e-15);
    assertEquals(5.0 / 7, c80.coverage(), 1e-15);
    assertTrue(c80.reached());
    ThresholdPicker.Choice c90 = ThresholdPicker.forPrecision(confidence, correct, 0.9);
    assertEquals(0.9, c90.threshold());
    assertEquals(2.0 / 7, c90.coverage(), 1e-15);
    ThresholdPicker.Choice c50 = ThresholdPicker.forPrecision(confidence, correct, 0.5);
    assertEquals(0.4, c50.threshold(), "everything answered");
    assertEquals(1.0, c50.coverage());
  }

  @Test
  void tiedConfidencesAreAnsweredTogether() {
    // Two at .9 (one wrong): a threshold of .9 answers both, precision 1/2 - not 1.
    ThresholdPicker.Choice c = ThresholdPicker.forPrecision(new double[] {0.9, 0.9, 0.5}, new boolean[] {true, false, true}, 0.6);
    assertEquals(0.5, c.threshold());
    assertEquals(2.0 / 3, c.precision(), 1e-15);
  }

  @Test
  void unreachableTargetHandsEverythingOff() {
    ThresholdPicker.Choice c = ThresholdPicker.forPrecision(new double[] {0.9, 0.8}, new boolean[] {false, true}, 0.99);
    assertFalse(c.reached());
    assertTrue(c.threshold() > 0.9);
    assertEquals(0.0, c.coverage());
    Prediction p = Prediction.of(TopK.of(new double[] {0.9, 0.1, 0, 0}, LABELS, 1), new HandOff(Math.min(1, c.threshold()), "transfer_to_agent"));
    assertTrue(p.handedOff());
  }
}
