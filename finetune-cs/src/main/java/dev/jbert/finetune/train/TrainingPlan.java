package dev.jbert.finetune.train;

/**
 * How long a run is, in Hugging Face's terms: micro-batches per epoch, optimizer steps per epoch
 * (one per {@code gradAccum} micro-batches, plus one for a shorter window at the end of an epoch),
 * the total the learning-rate schedule is sized for, and its warm-up.
 *
 * @param batchesPerEpoch ⌈examples / batch size⌉
 * @param stepsPerEpoch ⌈batchesPerEpoch / gradAccum⌉
 * @param epochs epochs to run: the configured count, or with {@code maxSteps} as many as its steps need
 * @param totalSteps optimizer steps of the whole run: {@code epochs × stepsPerEpoch}, or {@code maxSteps}
 * @param warmupSteps linear warm-up steps: the configured count, or ⌈ratio × totalSteps⌉ as Hugging Face rounds
 */
public record TrainingPlan(int batchesPerEpoch, long stepsPerEpoch, int epochs, long totalSteps, long warmupSteps) {

  /** The plan for {@code trainExamples} examples under {@code config}. */
  public static TrainingPlan of(int trainExamples, FineTuneConfig config) {
    if (trainExamples < 1) {
      throw new IllegalArgumentException("no training examples");
    }
    int batches = (trainExamples + config.batchSize() - 1) / config.batchSize();
    long steps = (batches + config.gradAccum() - 1) / config.gradAccum();
    int epochs = config.maxSteps() > 0 ? Math.toIntExact((config.maxSteps() + steps - 1) / steps) : config.epochs();
    long total = config.maxSteps() > 0 ? config.maxSteps() : epochs * steps;
    long warmup = config.warmupSteps() >= 0 ? config.warmupSteps() : (long) Math.ceil(config.warmupRatio() * total);
    if (warmup > total) {
      throw new IllegalArgumentException("warm-up of " + warmup + " steps is longer than the whole run (" + total + " steps)");
    }
    return new TrainingPlan(batches, steps, epochs, total, warmup);
  }
}
