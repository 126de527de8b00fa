package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A replica shares the weights (the same buffer, not a copy), answers exactly as the original, runs at
 * the same time as the original on another thread with the same results, and closing it leaves the
 * original working.
 */
class ReplicaTest {

  private static final int[][] IDS = {{2, 17, 33, 41, 3, 0}, {2, 9, 3, 0, 0, 0}};
  private static final int[][] MASK = {{1, 1, 1, 1, 1, 0}, {1, 1, 1, 0, 0, 0}};

  @Test
  void aClassifierReplicaSharesWeightsAndAnswersAlikeConcurrently() throws Exception {
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(
        SharedData.model("tiny-random-bert"), DataType.FLOAT)) {
      model.eval();
      model.setGradEnabled(false);
      float[][] expected = model.forward(IDS, null, MASK).toFloatMatrix();
      BertForSequenceClassification replica = model.replica();
      assertSame(model.parameters(), replica.parameters(), "weights are shared, not copied");
      assertArrayEquals(expected, replica.forward(IDS, null, MASK).toFloatMatrix());

      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<float[][]>> runs = new ArrayList<>();
      for (BertForSequenceClassification m : List.of(model, replica)) {
        runs.add(pool.submit(() -> {
          float[][] last = null;
          for (int i = 0; i < 50; i++) {
            last = m.forward(IDS, null, MASK).toFloatMatrix();
            assertArrayEquals(expected, last);
          }
          return last;
        }));
      }
      for (Future<float[][]> f : runs) {
        assertArrayEquals(expected, f.get());
      }
      pool.shutdown();
      replica.close();
      assertArrayEquals(expected, model.forward(IDS, null, MASK).toFloatMatrix(), "the original still works");
    }
  }

  @Test
  void anEncoderReplicaAnswersAlike() throws Exception {
    try (BertModel model = BertModel.fromPretrained(SharedData.model("tiny-random-bert"), DataType.FLOAT, false)) {
      model.eval();
      model.setGradEnabled(false);
      float[] expected = model.forward(IDS, null, MASK).lastHiddenState().dup().reshape(-1).toFloatVector();
      try (BertModel replica = model.replica()) {
        assertSame(model.parameters(), replica.parameters());
        assertArrayEquals(expected, replica.forward(IDS, null, MASK).lastHiddenState().dup().reshape(-1).toFloatVector());
      }
    }
  }
}
