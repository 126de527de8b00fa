package dev.jbert.optim;

import dev.jbert.core.Parameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What {@link AdamW} and {@link Adam} share: the moment buffers, the step sequence (mask frozen
 * gradients, clip, schedule, update) and saving. The update itself is written out in each subclass.
 *
 * <p>All buffers cover the {@linkplain ParamGroups#span() span} of the flat parameter layout:
 * element {@code i} of a moment buffer belongs to flat position {@code span.start + i}. Frozen
 * tensors inside the span keep zero moments (their gradients are zeroed before every step), so
 * their update is exactly zero and their values stay bit-identical.
 */
public abstract sealed class AdamBase implements Optimizer permits AdamW, Adam {

  /** The parameters being trained. */
  protected final Parameters params;
  /** Hyperparameters. */
  protected final OptimizerConfig config;
  /** Per-tensor settings and the span. */
  protected final ParamGroups groups;
  /** Parameter values over the span, {@code [span]} (a view). */
  protected final INDArray values;
  /** Gradients over the span, {@code [span]} (a view). */
  protected final INDArray grads;
  /** First moment m, {@code [span]}. */
  protected final INDArray expAvg;
  /** Second moment v, {@code [span]}. */
  protected final INDArray expAvgSq;
  /** Reused for intermediate results of every step, {@code [span]}. */
  protected final INDArray scratch;
  /** Per-element learning-rate multipliers {@code [span]}, or null when all are 1. */
  protected final INDArray lrMultipliers;

  private final List<INDArray> frozenGradRuns = new ArrayList<>();
  private final SquaredSum gradSquares;
  private long stepCount;

  /**
   * Allocates moments and scratch over the trainable span of {@code params}.
   *
   * @throws IllegalArgumentException if the parameters are neither FLOAT nor DOUBLE or the
   *     configuration freezes everything
   */
  protected AdamBase(Parameters params, OptimizerConfig config) {
    DataType dt = params.dataType();
    if (dt != DataType.FLOAT && dt != DataType.DOUBLE) {
      throw new IllegalArgumentException("optimizer needs FLOAT or DOUBLE parameters, got " + dt);
    }
    this.params = params;
    this.config = config;
    this.groups = ParamGroups.of(params, config);
    ParamGroups.Range span = groups.span();
    this.values = FlatViews.range(params.values(), span.start(), span.length());
    this.grads = FlatViews.range(params.grads(), span.start(), span.length());
    for (ParamGroups.Range r : groups.frozenRangesInSpan()) {
      frozenGradRuns.add(FlatViews.range(params.grads(), r.start(), r.length()));
    }
    this.gradSquares = new SquaredSum(grads);
    this.expAvg = Nd4j.zeros(dt, span.length());
    this.expAvgSq = Nd4j.zeros(dt, span.length());
    this.scratch = Nd4j.zeros(dt, span.length());
    this.lrMultipliers = groups.hasLrMultipliers() ? groups.lrMultiplierVector(dt) : null;
  }

  @Override
  public final StepResult step() {
    // Frozen gradients may hold anything (even NaN); zero them so that 0 * NaN never happens.
    for (INDArray run : frozenGradRuns) {
      run.assign(0);
    }
    double norm = Math.sqrt(gradSquares.compute());
    double coef = config.clips() ? GradientClipping.coefficient(norm, config.maxGradNorm()) : 1.0;
    GradientClipping.scale(grads, coef);
    // HF schedules: step t uses the factor after t - 1 scheduler steps.
    double lr = config.lr() * config.schedule().factor(stepCount);
    stepCount++;
    update(lr, stepCount);
    return new StepResult(stepCount, lr, norm, coef);
  }

  /**
   * Applies step {@code t} (1-based) at base learning rate {@code lr} to {@link #values}, from the
   * clipped {@link #grads}.
   */
  protected abstract void update(double lr, long t);

  /** The name saved with the state and checked on restore, e.g. {@code AdamW}. */
  public abstract String kind();

  @Override
  public long stepCount() {
    return stepCount;
  }

  /** Sets the step count (restore). */
  void setStepCount(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("step count must be >= 0, got " + steps);
    }
    this.stepCount = steps;
  }

  @Override
  public double currentLr() {
    return config.lr() * config.schedule().factor(stepCount);
  }

  @Override
  public Parameters parameters() {
    return params;
  }

  @Override
  public ParamGroups groups() {
    return groups;
  }

  /** The hyperparameters. */
  public OptimizerConfig config() {
    return config;
  }

  /** The first moment (torch's {@code exp_avg}) of a trainable tensor, shaped like it (a view). */
  public INDArray expAvg(String name) {
    return momentRange(expAvg, name).reshape(params.shape(name));
  }

  /** The second moment (torch's {@code exp_avg_sq}) of a trainable tensor, shaped like it (a view). */
  public INDArray expAvgSq(String name) {
    return momentRange(expAvgSq, name).reshape(params.shape(name));
  }

  /** A moment of one trainable tensor as a flat view: {@code second} picks {@code exp_avg_sq}. */
  INDArray momentRange(boolean second, String name) {
    return momentRange(second ? expAvgSq : expAvg, name);
  }

  private INDArray momentRange(INDArray moment, String name) {
    ParamGroups.TensorGroup g = groups.group(name);
    if (!g.trainable()) {
      throw new IllegalArgumentException("tensor '" + name + "' is frozen and has no optimizer state");
    }
    return FlatViews.range(moment, g.offset() - groups.span().start(), g.numel());
  }

  @Override
  public void save(Path file) throws IOException {
    OptimizerStateFile.write(file, this);
  }

  @Override
  public void restore(Path file) throws IOException {
    OptimizerStateFile.read(file, this);
  }

  /** {@code y += alpha * x} in one pass (element-wise, same length). */
  protected static void axpy(double alpha, INDArray x, INDArray y) {
    Nd4j.getExecutioner().exec(new Axpy(x, y, y, alpha));
  }

  /** The bias correction {@code 1 - beta^t}, as torch computes it ({@code 1 - beta ** step} in Python floats). */
  protected static double biasCorrection(double beta, long t) {
    return 1.0 - Math.pow(beta, t);
  }
}
