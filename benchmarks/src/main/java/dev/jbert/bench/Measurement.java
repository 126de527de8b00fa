package dev.jbert.bench;

/**
 * One timed workload on one side (jbert or the PyTorch peer): milliseconds per call (median, min,
 * max of the timed runs), sequences per second and GFLOP/s at the median, the process's peak
 * resident memory, and for training the median time of each phase.
 *
 * @param fwdMs zero grads + forward + loss (training only, else null)
 * @param bwdMs backward (training only, else null)
 * @param optMs optimizer step (training only, else null)
 */
public record Measurement(String side, String workload, int runs, double msMedian, double msMin, double msMax,
    double seqPerS, double gflops, double peakRssMb, Double fwdMs, Double bwdMs, Double optMs) {}
