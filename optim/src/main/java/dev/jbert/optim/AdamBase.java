package dev.jbert.optim;

import dev.jbert.core.Parameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
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
 *
 * <p>The update runs block by block ({@value #BLOCK} elements): all of its ~13 element-wise ops on
 * one block, then the next, so that a block's buffers are still partly in cache from op to op, and
 * the scratch buffer is one block instead of one model. Smaller blocks lose more to ND4J's per-op
 * cost (~30 us) than they gain (measured on 22.5M floats, 2 threads, same run: whole buffers
 * 142 ms per step, 1M-element blocks 121 ms, 256K 148 ms, 64K 271 ms).
 */
public abstract sealed class AdamBase implements Optimizer permits AdamW, Adam {

  /** Elements per block of the update. */
  static final int BLOCK = 1 << 20;

  /**
   * Views of one block of every per-element buffer, made once. Shapes are all {@code [n]}.
   *
   * @param values parameters
   * @param grads gradients (clipped in place)
   * @param expAvg first moment m
   * @param expAvgSq second moment v
   * @param scratch intermediate results (one block-sized buffer shared by all blocks)
   * @param decay per-element decay vector chosen by the subclass, or null when nothing decays
   * @param lrMultipliers per-element learning-rate multipliers, or null when all are 1
   */
  record Block(INDArray values, INDArray grads, INDArray expAvg, INDArray expAvgSq, INDArray scratch,
      INDArray decay, INDArray lrMultipliers) {}

  /** The parameters being trained. */
  final Parameters params;
  /** Hyperparameters. */
  final OptimizerConfig config;
  /** Per-tensor settings and the span. */
  final ParamGroups groups;
  /** First moment m, {@code [span]}. */
  private final INDArray expAvg;
  /** Second moment v, {@code [span]}. */
  private final INDArray expAvgSq;
  private final List<Block> blocks = new ArrayList<>();
  private final List<INDArray> frozenGradRuns = new ArrayList<>();
  private final SquaredSum gradSquares;
  private long stepCount;

  /**
   * Allocates moments over the trainable span of {@code params} and cuts every buffer into blocks.
   *
   * @param decayVector the per-element decay vector the subclass's update reads ({@code [span]}),
   *     built from the groups; not called when nothing is decayed
   * @throws IllegalArgumentException if the parameters are neither FLOAT nor DOUBLE or the
   *     configuration freezes everything
   */
  AdamBase(Parameters params, OptimizerConfig config, BiFunction<ParamGroups, DataType, INDArray> decayVector) {
    DataType dt = params.dataType();
    if (dt != DataType.FLOAT && dt != DataType.DOUBLE) {
      throw new IllegalArgumentException("optimizer needs FLOAT or DOUBLE parameters, got " + dt);
    }
    this.params = params;
    this.config = config;
    this.groups = ParamGroups.of(params, config);
    ParamGroups.Range span = groups.span();
    INDArray values = FlatViews.range(params.values(), span.start(), span.length());
    INDArray grads = FlatViews.range(params.grads(), span.start(), span.length());
    for (ParamGroups.Range r : groups.frozenRangesInSpan()) {
      frozenGradRuns.add(FlatViews.range(params.grads(), r.start(), r.length()));
    }
    this.gradSquares = new SquaredSum(grads);
    this.expAvg = Nd4j.zeros(dt, span.length());
    this.expAvgSq = Nd4j.zeros(dt, span.length());
    INDArray decay = groups.hasWeightDecay() ? decayVector.apply(groups, dt) : null;
    INDArray lrMultipliers = groups.hasLrMultipliers() ? groups.lrMultiplierVector(dt) : null;
    INDArray scratch = Nd4j.zeros(dt, Math.min(BLOCK, span.length()));
    for (long start = 0; start < span.length(); start += BLOCK) {
      long n = Math.min(BLOCK, span.length() - start);
      blocks.add(new Block(FlatViews.range(values, start, n), FlatViews.range(grads, start, n),
          FlatViews.range(expAvg, start, n), FlatViews.range(expAvgSq, start, n), FlatViews.range(scratch, 0, n),
          decay == null ? null : FlatViews.range(decay, start, n),
          lrMultipliers == null ? null : FlatViews.range(lrMultipliers, start, n)));
    }
  }

  @Override
  public final StepResult step() {
    // Frozen gradients may hold anything (even NaN); zero them so that 0 * NaN never happens.
    for (INDArray run : frozenGradRuns) {
      run.assign(0);
    }
    double norm = Math.sqrt(gradSquares.compute());
    double coef = GradientClipping.coefficient(norm, config.maxGradNorm());
    // HF schedules: step t uses the factor after t - 1 scheduler steps.
    double lr = config.lr() * config.schedule().factor(stepCount);
    stepCount++;
    for (Block b : blocks) {
      GradientClipping.scale(b.grads(), coef);
      update(b, lr, stepCount);
    }
    return new StepResult(stepCount, lr, norm, coef);
  }

  /**
   * Applies step {@code t} (1-based) at base learning rate {@code lr} to one block of parameters,
   * from its clipped gradients.
   */
  abstract void update(Block b, double lr, long t);

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
  static void axpy(double alpha, INDArray x, INDArray y) {
    Nd4j.getExecutioner().exec(new Axpy(x, y, y, alpha));
  }

  /** The bias correction {@code 1 - beta^t}, as torch computes it ({@code 1 - beta ** step} in Python floats). */
  static double biasCorrection(double beta, long t) {
    return 1.0 - Math.pow(beta, t);
  }
}
