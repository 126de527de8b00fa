package dev.jbert.finetune.predict;

/**
 * One candidate reply as {@link Predictor#rankReplies} ranked it.
 *
 * @param index its position in the list of candidates given
 * @param reply the candidate's text
 * @param score the probability of the ranking label for the pair (message, reply)
 */
public record RankedReply(int index, String reply, double score) {}
