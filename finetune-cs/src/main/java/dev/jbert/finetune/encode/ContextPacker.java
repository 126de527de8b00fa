package dev.jbert.finetune.encode;

import java.util.Arrays;
import java.util.List;

/**
 * Fits earlier turns of a conversation into a token budget for one BERT segment, dropping the oldest
 * turns first: the recent turns matter most for understanding the current message.
 *
 * <p>Result: the newest turns that fit, whole, in conversation order, with {@code separatorId}
 * between neighbouring turns (none when it is negative). If even the newest turn alone is longer than
 * the budget, its last {@code budget} tokens are kept (the end of a turn is nearest to the current
 * message).
 *
 * <p>Use: with a maximum length L and segment B of b tokens, segment A gets {@code budget = L − 3 −
 * b} ({@code [CLS]}, two {@code [SEP]}). For context classification pass the earlier turns; for a
 * reply pair pass the earlier turns followed by the customer's message itself, so the message is the
 * last thing dropped.
 */
public final class ContextPacker {

  private ContextPacker() {}

  /**
   * @param turns token ids of each earlier turn (no special tokens), oldest first
   * @param budget maximum number of ids in the result, ≥ 0
   * @param separatorId id put between turns (e.g. {@code [SEP]}), or −1 for none
   * @return the packed ids, at most {@code budget} long
   */
  public static int[] pack(List<int[]> turns, int budget, int separatorId) {
    if (budget < 0) {
      throw new IllegalArgumentException("budget must be >= 0, got " + budget);
    }
    if (turns.isEmpty() || budget == 0) {
      return new int[0];
    }
    int separator = separatorId >= 0 ? 1 : 0;
    // Walk back from the newest turn while whole turns (plus separators) still fit.
    int first = turns.size();
    int used = 0;
    while (first > 0) {
      int cost = turns.get(first - 1).length + (first < turns.size() ? separator : 0);
      if (used + cost > budget) {
        break;
      }
      used += cost;
      first--;
    }
    if (first == turns.size()) {
      int[] newest = turns.get(turns.size() - 1);
      return Arrays.copyOfRange(newest, newest.length - budget, newest.length);
    }
    int[] out = new int[used];
    int at = 0;
    for (int t = first; t < turns.size(); t++) {
      if (t > first && separator == 1) {
        out[at++] = separatorId;
      }
      int[] ids = turns.get(t);
      System.arraycopy(ids, 0, out, at, ids.length);
      at += ids.length;
    }
    return out;
  }
}
