package dev.jbert.finetune.predict;

/**
 * One candidate answer, as Hugging Face's text-classification pipeline names it.
 *
 * @param label class name
 * @param id class id
 * @param score softmax probability
 */
public record ScoredLabel(String label, int id, double score) {}
