package dev.jbert.finetune.predict;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One candidate reply as {@link Predictor#rankReplies} ranked it.
 *
 * @param index its position in the list of candidates given
 * @param reply the candidate's text
 * @param score what it was ranked by: the probability of the ranking label for the pair (message,
 *     reply), or that label's logit where the caller asked for raw scores
 */
public record RankedReply(int index, String reply, double score) {

  /** The replies with their scores ({@code scores[i]} is reply i's), best first, equal scores in the order given. */
  public static List<RankedReply> byScore(List<String> replies, double[] scores) {
    if (scores.length != replies.size()) {
      throw new IllegalArgumentException(scores.length + " scores for " + replies.size() + " replies");
    }
    List<RankedReply> ranked = new ArrayList<>(replies.size());
    for (int i = 0; i < scores.length; i++) {
      ranked.add(new RankedReply(i, replies.get(i), scores[i]));
    }
    ranked.sort(Comparator.comparingDouble(RankedReply::score).reversed()); // a stable sort
    return ranked;
  }
}
