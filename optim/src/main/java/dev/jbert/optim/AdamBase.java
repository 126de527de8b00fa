package dev.jbert.optim;

import dev.jbert.core.kernel.FlatView;
import dev.jbert.core.param.Parameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What {@link AdamW} and {@link Adam} share: the moment buffers, the step sequence (mask frozen
 * gradients, clip, schedule, update) and saving. The update of both is {@link AdamKernel}'s; a
 * subclass only says how a tensor decays (AdamW: decoupled {@code lr * k * wd}, Adam: L2 {@code wd}
 * through the gradient).
 *
 * <p>All buffers cover the {@linkplain ParamGroups#span() span} of the flat parameter layout:
 * element {@code i} of a moment buffer belongs to flat position {@code span.start + i}. Frozen
 * tensors inside the span keep zero moments (their gradients are zeroed before every step), so
 * their update is exactly zero and their values stay bit-identical.
 *
 * <p>The update is one fused pass per element ({@link AdamKernel}): blocks of {@value #BLOCK}
 * elements are shared out between threads, each clipped, decayed and updated in cache-sized tiles.
 * On MiniLM (22.7M floats, 2 threads) it takes 32-34 ms where the ~13 element-wise ND4J ops it
 * replaced took 118 ms (minima, measured back to back; see the module README), most of that
 * streaming whole buffers through memory once per op.
 */
public abstract sealed class AdamBase implements Optimizer permits AdamW, Adam {

  /** Elements per block of the update (the unit of work one thread claims). */
  static final int BLOCK = 1 << 20;

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
  private final AdamKernel kernel;
  private final List<INDArray> frozenGradRuns = new ArrayList<>();
  private final SquaredSum gradSquares;
  private long stepCount;

  /**
   * Allocates moments over the trainable span of {@code params} and prepares the fused update.
   *
   * @param decay the decay rate of one tensor in the subclass's update (AdamW: {@code k * wd},
   *     Adam: {@code wd})
   * @throws IllegalArgumentException if the parameters are neither FLOAT nor DOUBLE or the
   *     configuration freezes everything
   */
  AdamBase(Parameters params, OptimizerConfig config, ToDoubleFunction<ParamGroups.TensorGroup> decay) {
    DataType dt = params.dataType();
    if (dt != DataType.FLOAT && dt != DataType.DOUBLE) {
      throw new IllegalArgumentException("optimizer needs FLOAT or DOUBLE parameters, got " + dt);
    }
    this.params = params;
    this.config = config;
    this.groups = ParamGroups.of(params, config);
    ParamGroups.Range span = groups.span();
    INDArray grads = FlatView.of(params.grads(), span.start(), span.length());
    for (ParamGroups.Range r : groups.frozenRangesInSpan()) {
      frozenGradRuns.add(FlatView.of(params.grads(), r.start(), r.length()));
    }
    this.gradSquares = new SquaredSum(grads);
    this.expAvg = Nd4j.zeros(dt, span.length());
    this.expAvgSq = Nd4j.zeros(dt, span.length());
    this.kernel = new AdamKernel(params.values(), params.grads(), groups, decay, expAvg, expAvgSq);
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
    kernel.run(new AdamKernel.Step(decoupledDecay(), coef, lr, config.beta1(), config.beta2(), config.eps(),
        stepCount));
    params.changed();
    return new StepResult(stepCount, lr, norm, coef);
  }

  /**
   * True for AdamW's decoupled decay ({@code p *= 1 - lr * k * wd} before the update), false for
   * Adam's L2 decay ({@code g' = g + wd * p} through the moments).
   */
  abstract boolean decoupledDecay();

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
    return FlatView.of(moment, g.offset() - groups.span().start(), g.numel());
  }

  @Override
  public void save(Path file) throws IOException {
    OptimizerStateFile.write(file, this);
  }

  @Override
  public void restore(Path file) throws IOException {
    OptimizerStateFile.read(file, this);
  }

  /** The bias correction {@code 1 - beta^t}, as torch computes it ({@code 1 - beta ** step} in Python floats). */
  static double biasCorrection(double beta, long t) {
    return 1.0 - Math.pow(beta, t);
  }
}
