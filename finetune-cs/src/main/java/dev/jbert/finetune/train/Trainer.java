package dev.jbert.finetune.train;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.finetune.batch.Batch;
import dev.jbert.finetune.batch.BatchIterator;
import dev.jbert.finetune.batch.BatchOrder;
import dev.jbert.finetune.batch.BatchPosition;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.report.LogEntry;
import dev.jbert.finetune.report.TrainingLog;
import dev.jbert.optim.GradientAccumulation;
import dev.jbert.optim.Optimizer;
import dev.jbert.optim.StepResult;
import dev.jbert.optim.WeightAverage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The training loop: batches → forward → loss → backward → (accumulate) → clip, AdamW step and
 * schedule → log; at the end of every epoch (and when {@code maxSteps} is reached) evaluate, keep the
 * best model (ties of the metric broken by the lower evaluation loss), check early stopping and
 * write a checkpoint.
 *
 * <p>Everything random is a function of the seed and a position, never of a running generator: the
 * batch order of epoch e is {@code BatchOrder.epoch(e)}, the dropout masks of micro-batch m come from
 * {@code model.setSeed(mix(seed, m))}. A run resumed from a checkpoint therefore takes exactly the
 * steps the uninterrupted run would have taken.
 *
 * <p>With a weight average ({@link WeightAverage}, {@code emaDecay}), every optimizer step folds the
 * weights into it, and evaluation, the kept model and the saved model use the averaged weights
 * (swapped in for the moment, then swapped back bit for bit); training continues on the live ones.
 *
 * <p>Gradient accumulation ({@link GradientAccumulation}): the model adds each micro-batch's
 * mean-loss gradient into the gradient buffer; before the step the sum is divided by the number of
 * micro-batches in the window, giving the gradient of their mean loss. The last window of an epoch
 * may be shorter.
 */
public final class Trainer {

  private final BertForSequenceClassification model;
  private final Optimizer optimizer;
  private final WeightAverage average; // null when the run keeps none
  private final FineTuneConfig config;
  private final TrainingPlan plan;
  private final List<EncodedExample> train;
  private final BatchOrder order;
  private final int padId;
  private final Supplier<Evaluation> evaluation;
  private final CheckpointStore checkpoints;
  private final TrainingLog log;
  private final Path bestModelDir;
  private final TrainingListener listener;
  private final StopRequest stop;

  // Where the run stands (saved into every checkpoint).
  private long step;
  private double windowLossSum;
  private int windowBatches;
  private long windowSequences;
  private long windowStartNanos;
  private long lastCheckpointNanos;
  private Double bestMetric;
  private Double bestLoss;
  private int bestEpoch;
  private int badEvaluations;
  private String stopReason;
  private TrainerState start;

  /**
   * @param average the weight average to update and to evaluate and save with; null for none
   * @param train encoded training examples with their targets
   * @param order which examples form which batch, epoch by epoch
   * @param padId the id padding cells get
   * @param evaluation scores the current model on the evaluation data; null when there is none
   *     (then the last epoch is kept)
   * @param bestModelDir where the best model so far is saved ({@code savePretrained})
   * @param stop checked after every optimizer step: when requested, training stops there with a checkpoint
   */
  public Trainer(BertForSequenceClassification model, Optimizer optimizer, WeightAverage average, FineTuneConfig config,
      TrainingPlan plan,
      List<EncodedExample> train, BatchOrder order, int padId, Supplier<Evaluation> evaluation, CheckpointStore checkpoints,
      TrainingLog log, Path bestModelDir, TrainingListener listener, StopRequest stop) {
    this.model = model;
    this.optimizer = optimizer;
    this.average = average;
    this.config = config;
    this.plan = plan;
    this.train = train;
    this.order = order;
    this.padId = padId;
    this.evaluation = evaluation;
    this.checkpoints = checkpoints;
    this.log = log;
    this.bestModelDir = bestModelDir;
    this.listener = listener;
    this.stop = stop;
  }

  /**
   * Trains from {@code state} (the initial state or a checkpoint's) until the run is finished, or
   * until a stop is requested: then after the current optimizer step, with a checkpoint.
   *
   * @return the final state (also saved as the last checkpoint); {@link TrainerState#finished()} is
   *     false when training stopped on request (the state given back when it came before any step)
   * @throws NonFiniteLossException when a loss is NaN or infinite
   */
  public TrainerState run(TrainerState state) throws IOException {
    restore(state);
    if (state.finished() || stop.isRequested()) {
      return state;
    }
    listener.onStart(plan, step);
    BatchIterator batches = new BatchIterator(train, order, padId, state.position(), plan.epochs());
    model.train();
    GradientAccumulation accumulation = new GradientAccumulation(optimizer, config.gradAccum()); // zeroes grads
    int pending = 0;
    double stepLoss = 0;
    int stepSequences = 0;
    windowStartNanos = System.nanoTime();
    lastCheckpointNanos = windowStartNanos;
    while (batches.hasNext()) {
      Batch batch = batches.next();
      double loss = forwardBackward(batch);
      pending++;
      stepLoss += loss;
      stepSequences += batch.size();
      windowLossSum += loss;
      windowBatches++;
      windowSequences += batch.size();
      BatchPosition next = batches.position();
      boolean epochEnds = next.batch() == 0;
      Optional<StepResult> stepped = accumulation.microBatchDone();
      if (stepped.isEmpty() && epochEnds) {
        stepped = accumulation.flush();                                 // the epoch's last, shorter window
      }
      if (stepped.isEmpty()) {
        continue;
      }
      StepResult result = stepped.get();
      if (average != null) {
        average.update();
      }
      step++;
      listener.onStep(new TrainingListener.StepProgress(step, plan.totalSteps(), epochsDone(), stepLoss / pending,
          result.lr(), result.gradNorm(), stepSequences));
      pending = 0;
      stepLoss = 0;
      stepSequences = 0;
      if (step % config.loggingSteps() == 0) {
        logTraining(result.lr());
      }
      boolean maxed = config.maxSteps() > 0 && step >= config.maxSteps();
      boolean stopRequested = stop.isRequested();
      if (epochEnds || maxed) {
        boolean done = endOfEpoch(epochEnds ? next.epoch() : next.epoch() + 1, maxed);
        checkpoint(next, done || !batches.hasNext());
        if (done) {
          break;
        }
      } else if (stopRequested || checkpointDue()) {
        checkpoint(next, false);
      }
      if (stopRequested && batches.hasNext()) {
        TrainerState stopped = snapshot(next, false);
        listener.onFinish(new TrainerState(stopped.format(), stopped.epoch(), stopped.batch(), stopped.step(),
            stopped.windowLossSum(), stopped.windowBatches(), stopped.windowSequences(), stopped.bestMetric(),
            stopped.bestLoss(), stopped.bestEpoch(), stopped.badEvaluations(), false, "stopped on request",
            stopped.labels(), stopped.settings(), stopped.trainExamples()));
        return stopped;
      }
    }
    TrainerState end = snapshot(batches.position(), true);
    listener.onFinish(end);
    return end;
  }

  private void restore(TrainerState state) {
    start = state;
    step = state.step();
    windowLossSum = state.windowLossSum();
    windowBatches = state.windowBatches();
    windowSequences = state.windowSequences();
    bestMetric = state.bestMetric();
    bestLoss = state.bestLoss();
    bestEpoch = state.bestEpoch();
    badEvaluations = state.badEvaluations();
    stopReason = state.stopReason();
  }

  /** Forward, loss and backward of one micro-batch; the gradients add up in the model's buffer. */
  private double forwardBackward(Batch batch) {
    BatchPosition at = batch.position();
    model.setSeed(dropoutSeed(config.seed(), (long) at.epoch() * plan.batchesPerEpoch() + at.batch()));
    double loss;
    if (config.task().isRegression()) {
      model.forward(batch.tokens());
      loss = model.loss(toDouble(batch.scores()));
    } else if (config.rDrop() > 0) { // R-Drop: every input twice, under two dropout masks
      model.forward(batch.tokens().twice());
      loss = model.loss(twice(batch.labelIds()));
    } else {
      model.forward(batch.tokens());
      loss = model.loss(batch.labelIds());
    }
    if (!Double.isFinite(loss)) {
      throw new NonFiniteLossException(step + 1, at, loss);
    }
    model.backward();
    return loss;
  }

  private void logTraining(double lr) throws IOException {
    if (windowBatches == 0) {
      return;
    }
    double seconds = (System.nanoTime() - windowStartNanos) / 1e9;
    LogEntry entry = LogEntry.train(step, epochsDone(), windowLossSum / windowBatches, lr, windowSequences / seconds);
    log.append(entry);
    listener.onLog(entry);
    windowLossSum = 0;
    windowBatches = 0;
    windowSequences = 0;
    windowStartNanos = System.nanoTime();
  }

  /**
   * Evaluates (when there is evaluation data), keeps the model if it is the best so far (or, without
   * evaluation, always: the last epoch wins) and decides on early stopping.
   *
   * @param epochsCompleted 1-based number of the epoch that just ended
   * @return true when training should stop now
   */
  private boolean endOfEpoch(int epochsCompleted, boolean maxed) throws IOException {
    if (average != null) {
      average.swap(); // evaluate and keep the averaged weights
    }
    try {
      return evaluateAndKeep(epochsCompleted, maxed);
    } finally {
      if (average != null) {
        average.swap();
      }
    }
  }

  private boolean evaluateAndKeep(int epochsCompleted, boolean maxed) throws IOException {
    boolean improved = true;
    if (evaluation != null) {
      Evaluation result = evaluation.get();
      LogEntry entry = LogEntry.evaluation(step, epochsDone(), result.summary());
      log.append(entry);
      listener.onLog(entry);
      improved = isBetter(result.metric(config.metric()), result.loss());
      if (improved) {
        bestMetric = result.metric(config.metric());
        bestLoss = result.loss();
      }
    }
    if (improved) {
      bestEpoch = epochsCompleted;
      badEvaluations = 0;
      model.savePretrained(bestModelDir);
    } else {
      badEvaluations++;
    }
    windowStartNanos = System.nanoTime(); // evaluation and saving are not training time
    if (maxed) {
      stopReason = "reached max steps (" + config.maxSteps() + ")";
      return true;
    }
    if (config.earlyStoppingPatience() > 0 && badEvaluations >= config.earlyStoppingPatience()) {
      stopReason = "early stopping: no improvement of " + config.metric() + " in " + count(badEvaluations, "evaluation");
      return true;
    }
    return false;
  }

  /**
   * Whether an evaluation beats the best so far: a better value of the selection metric, or the same
   * value with a lower evaluation loss (accuracy often stays put for epochs while the loss still
   * falls; the earliest of equal epochs is not the best of them).
   */
  private boolean isBetter(double value, double loss) {
    if (bestMetric == null) {
      return true;
    }
    if (value != bestMetric) {
      return Evaluation.higherIsBetter(config.metric()) ? value > bestMetric : value < bestMetric;
    }
    return bestLoss != null && loss < bestLoss;
  }

  /** A checkpoint inside an epoch: every {@code saveSteps} steps, or when {@code saveInterval} has passed since the last one. */
  private boolean checkpointDue() {
    if (config.saveSteps() > 0 && step % config.saveSteps() == 0) {
      return true;
    }
    return !config.saveInterval().isZero() && System.nanoTime() - lastCheckpointNanos >= config.saveInterval().toNanos();
  }

  private void checkpoint(BatchPosition next, boolean finished) throws IOException {
    if (finished && stopReason == null) {
      stopReason = "completed " + count(plan.epochs(), "epoch");
    }
    checkpoints.save(model, optimizer, average, snapshot(next, finished));
    listener.onCheckpoint(step);
    windowStartNanos = System.nanoTime();
    lastCheckpointNanos = windowStartNanos;
  }

  private TrainerState snapshot(BatchPosition next, boolean finished) {
    return new TrainerState(TrainerState.FORMAT, next.epoch(), next.batch(), step, windowLossSum, windowBatches,
        windowSequences, bestMetric, bestLoss, bestEpoch, badEvaluations, finished, stopReason, start.labels(), start.settings(),
        start.trainExamples());
  }

  /** "1 epoch", "3 epochs". */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private double epochsDone() {
    return (double) step / plan.stepsPerEpoch();
  }

  private static int[] twice(int[] labels) {
    int[] out = Arrays.copyOf(labels, 2 * labels.length);
    System.arraycopy(labels, 0, out, labels.length, labels.length);
    return out;
  }

  private static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** A well-mixed seed per micro-batch (SplitMix64's finaliser of seed + m·γ). */
  static long dropoutSeed(long seed, long microBatch) {
    long z = seed + (microBatch + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
