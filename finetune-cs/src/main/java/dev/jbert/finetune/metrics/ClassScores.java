package dev.jbert.finetune.metrics;

/**
 * Scores of one class.
 *
 * @param label class name
 * @param precision tp / (tp + fp); 0 when the class was never predicted
 * @param recall tp / (tp + fn); 0 when the class never occurs
 * @param f1 harmonic mean of precision and recall; 0 when both are 0
 * @param support number of gold examples of the class
 */
public record ClassScores(String label, double precision, double recall, double f1, int support) {}
