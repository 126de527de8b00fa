package dev.jbert.finetune.predict;

/**
 * One candidate answer.
 *
 * @param label class name
 * @param id class id
 * @param probability softmax probability
 */
public record ScoredLabel(String label, int id, double probability) {}
