package dev.jbert.finetune.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

  /**
   * scikit-learn's documentation example for f1_score / precision_recall_fscore_support:
   * y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1] gives macro F1 0.26666…, macro precision
   * 0.22222…, macro recall 0.33333…, accuracy 1/3.
   */
  @Test
  void scikitLearnDocumentationExample() {
    ClassificationMetrics m = ClassificationMetrics.compute(new int[] {0, 1, 2, 0, 1, 2}, new int[] {0, 2, 1, 0, 0, 1}, List.of("cat", "dog", "pig"));
    assertEquals(0.26666666666666666, m.macroF1(), 1e-15);
    assertEquals(0.2222222222222222, m.macroPrecision(), 1e-15);
    assertEquals(0.3333333333333333, m.macroRecall(), 1e-15);
    assertEquals(1.0 / 3, m.accuracy(), 1e-15);
    ClassScores cat = m.perClass().get(0);
    assertEquals(new ClassScores("cat", 2.0 / 3, 1.0, 0.8, 2), cat);
    assertEquals(new ClassScores("dog", 0, 0, 0, 2), m.perClass().get(1));
    assertArrayEquals(new int[][] {{2, 0, 0}, {1, 0, 1}, {0, 2, 0}}, m.confusion());
    assertEquals(6, m.count());
  }

  @Test
  void handComputedImbalancedCase() {
    // gold: a a a a b b c ; predicted: a a b a b c c
    // a: tp 3 fp 0 fn 1 -> p 1, r .75, f1 6/7 ; b: tp 1 fp 1 fn 1 -> .5 .5 .5 ; c: tp 1 fp 1 fn 0 -> .5 1 2/3
    ClassificationMetrics m = ClassificationMetrics.compute(new int[] {0, 0, 0, 0, 1, 1, 2}, new int[] {0, 0, 1, 0, 1, 2, 2}, List.of("a", "b", "c"));
    assertEquals(5.0 / 7, m.accuracy(), 1e-15);
    assertEquals((6.0 / 7 + 0.5 + 2.0 / 3) / 3, m.macroF1(), 1e-15);
    assertEquals((1 + 0.5 + 0.5) / 3, m.macroPrecision(), 1e-15);
    assertEquals((0.75 + 0.5 + 1) / 3, m.macroRecall(), 1e-15);
    assertEquals(4, m.perClass().get(0).support());
  }

  @Test
  void classesAbsentFromGoldAndPredictionsAreListedButNotAveraged() {
    ClassificationMetrics m = ClassificationMetrics.compute(new int[] {0, 1}, new int[] {0, 1}, List.of("a", "b", "unused"));
    assertEquals(1.0, m.macroF1(), 1e-15);
    assertEquals(3, m.perClass().size());
    assertEquals(0, m.perClass().get(2).support());
  }

  @Test
  void badInput() {
    assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.compute(new int[] {0}, new int[] {0, 1}, List.of("a", "b")));
    assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.compute(new int[] {0}, new int[] {2}, List.of("a", "b")));
  }
}
