package dev.jbert.finetune.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Ranking by score: best first, ties in the order given, one score per reply. */
class RankedReplyTest {

  @Test
  void bestFirstAndTiesInTheOrderGiven() {
    List<RankedReply> ranked = RankedReply.byScore(List.of("a", "b", "c", "d"), new double[] {0.2, 0.5, 0.2, -1});
    assertEquals(List.of(new RankedReply(1, "b", 0.5), new RankedReply(0, "a", 0.2), new RankedReply(2, "c", 0.2),
        new RankedReply(3, "d", -1)), ranked);
  }

  @Test
  void oneScorePerReply() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RankedReply.byScore(List.of("a", "b"), new double[] {1}));
    assertEquals("1 scores for 2 replies", e.getMessage());
  }
}
