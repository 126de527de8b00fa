package dev.jbert.finetune.datasets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Draws wrong replies for a message from a pool of candidate replies of one split.
 *
 * <p>Each candidate has a group (what makes a reply right: an intent, or a dialogue) and a hard key
 * (what makes a wrong reply look plausible: a category, or a domain). An easy negative is any
 * candidate of another group; a hard negative is one of another group with the same hard key. A
 * candidate whose text equals the right reply is never used, whatever its group.
 */
final class NegativeSampler {

  /** A reply that can be used as a negative. */
  record Candidate(String group, String hardKey, String reply) {}

  /** Random draws before falling back to filtering the whole candidate list. */
  private static final int MAX_DRAWS = 20;

  private final List<Candidate> pool;
  private final PairSampling sampling;
  private final Random random;
  private final Map<String, List<Integer>> easyByGroup = new HashMap<>();
  private final Map<String, List<Integer>> hardByKeyAndGroup = new HashMap<>();

  NegativeSampler(List<Candidate> pool, PairSampling sampling, Random random) {
    this.pool = List.copyOf(pool);
    this.sampling = sampling;
    this.random = random;
  }

  /**
   * {@code negativesPerPositive} wrong replies for a message whose right replies are in {@code group}
   * and whose own reply is {@code rightReply}; a candidate with exactly that text is never drawn.
   *
   * @throws IllegalStateException when the pool has no usable candidate outside the group
   */
  List<String> negativesFor(String group, String hardKey, String rightReply) {
    List<String> replies = new ArrayList<>(sampling.negativesPerPositive());
    for (int i = 0; i < sampling.negativesPerPositive(); i++) {
      boolean wantHard = random.nextDouble() < sampling.hardFraction();
      String reply = wantHard ? draw(hardCandidates(group, hardKey), rightReply) : null;
      if (reply == null) {
        reply = draw(easyCandidates(group), rightReply);
      }
      if (reply == null) {
        throw new IllegalStateException("no reply outside group '" + group + "' to use as a negative");
      }
      replies.add(reply);
    }
    return replies;
  }

  /** A random candidate's reply that differs from {@code rightReply}, or null when there is none. */
  private String draw(List<Integer> candidates, String rightReply) {
    for (int attempt = 0; attempt < MAX_DRAWS && !candidates.isEmpty(); attempt++) {
      String reply = pool.get(candidates.get(random.nextInt(candidates.size()))).reply();
      if (!reply.equals(rightReply)) {
        return reply;
      }
    }
    // Nearly every candidate repeats the right reply: fall back to an exhaustive choice.
    List<String> usable = candidates.stream().map(i -> pool.get(i).reply()).filter(r -> !r.equals(rightReply)).toList();
    return usable.isEmpty() ? null : usable.get(random.nextInt(usable.size()));
  }

  private List<Integer> easyCandidates(String group) {
    return easyByGroup.computeIfAbsent(group, g -> select(g, null));
  }

  private List<Integer> hardCandidates(String group, String hardKey) {
    return hardByKeyAndGroup.computeIfAbsent(hardKey + '\u0000' + group, k -> select(group, hardKey));
  }

  /** Indices of candidates outside {@code group}, with {@code hardKey} when it is not null; pool order. */
  private List<Integer> select(String group, String hardKey) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < pool.size(); i++) {
      Candidate c = pool.get(i);
      if (!c.group().equals(group) && (hardKey == null || c.hardKey().equals(hardKey))) {
        out.add(i);
      }
    }
    return out;
  }
}
