package dev.jbert.optim;

/**
 * A learning-rate multiplier as a function of the scheduler step count {@code s}, with the
 * semantics of Hugging Face {@code transformers.optimization} ({@code LambdaLR} lambdas).
 *
 * <p>{@code s} counts the {@code scheduler.step()} calls made so far, so optimizer step {@code t}
 * (1-based) runs at {@code baseLr * factor(t - 1)}: with one warm-up step the first optimizer step
 * has learning rate 0 and still counts (its moments are updated).
 */
public sealed interface LrSchedule {

  /** The multiplier after {@code s} scheduler steps ({@code s >= 0}). */
  double factor(long s);

  /** A stable text form, e.g. {@code linear(warmup=10,total=100)}; saved with optimizer state. */
  String describe();

  /** {@code get_constant_schedule}: always 1. */
  static LrSchedule constant() {
    return new Constant();
  }

  /** {@code get_constant_schedule_with_warmup}: {@code s/warmup} during warm-up, then 1. */
  static LrSchedule constantWithWarmup(long warmupSteps) {
    return new ConstantWithWarmup(warmupSteps);
  }

  /**
   * {@code get_linear_schedule_with_warmup}: {@code s/warmup} during warm-up, then
   * {@code max(0, (total - s) / (total - warmup))}.
   */
  static LrSchedule linearWithWarmup(long warmupSteps, long totalSteps) {
    return new Linear(warmupSteps, totalSteps);
  }

  /**
   * {@code get_cosine_schedule_with_warmup} with {@code num_cycles = 0.5}: after warm-up, half a
   * cosine from 1 down to 0 at {@code totalSteps}.
   */
  static LrSchedule cosineWithWarmup(long warmupSteps, long totalSteps) {
    return new Cosine(warmupSteps, totalSteps, 0.5);
  }

  /**
   * A schedule by its short name, as a command line gives it: {@code constant},
   * {@code constant_with_warmup}, {@code linear} or {@code cosine} (the steps a schedule does not
   * use are ignored).
   */
  static LrSchedule named(String name, long warmupSteps, long totalSteps) {
    return switch (name) {
      case "constant" -> constant();
      case "constant_with_warmup" -> constantWithWarmup(warmupSteps);
      case "linear" -> linearWithWarmup(warmupSteps, totalSteps);
      case "cosine" -> cosineWithWarmup(warmupSteps, totalSteps);
      default -> throw new IllegalArgumentException(
          "unknown learning-rate schedule '" + name + "' (constant, constant_with_warmup, linear, cosine)");
    };
  }

  /** HF's warm-up ramp {@code s / max(1, warmup)}, shared by every warm-up schedule. */
  private static double warmup(long s, long warmupSteps) {
    return (double) s / Math.max(1, warmupSteps);
  }

  private static void checkSteps(long warmupSteps, long totalSteps) {
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
    }
    if (totalSteps < warmupSteps) {
      throw new IllegalArgumentException(
          "total steps (" + totalSteps + ") must be >= warm-up steps (" + warmupSteps + ")");
    }
  }

  /** See {@link LrSchedule#constant()}. */
  record Constant() implements LrSchedule {
    @Override
    public double factor(long s) {
      return 1.0;
    }

    @Override
    public String describe() {
      return "constant";
    }
  }

  /** See {@link LrSchedule#constantWithWarmup(long)}. */
  record ConstantWithWarmup(long warmupSteps) implements LrSchedule {
    /** Rejects a negative warm-up. */
    public ConstantWithWarmup {
      checkSteps(warmupSteps, warmupSteps);
    }

    @Override
    public double factor(long s) {
      return s < warmupSteps ? warmup(s, warmupSteps) : 1.0;
    }

    @Override
    public String describe() {
      return "constant_with_warmup(warmup=" + warmupSteps + ")";
    }
  }

  /** See {@link LrSchedule#linearWithWarmup(long, long)}. */
  record Linear(long warmupSteps, long totalSteps) implements LrSchedule {
    /** Rejects a negative warm-up or a total shorter than the warm-up. */
    public Linear {
      checkSteps(warmupSteps, totalSteps);
    }

    @Override
    public double factor(long s) {
      if (s < warmupSteps) {
        return warmup(s, warmupSteps);
      }
      return Math.max(0.0, (double) (totalSteps - s) / Math.max(1, totalSteps - warmupSteps));
    }

    @Override
    public String describe() {
      return "linear(warmup=" + warmupSteps + ",total=" + totalSteps + ")";
    }
  }

  /** See {@link LrSchedule#cosineWithWarmup(long, long)}; {@code numCycles} 0.5 is HF's default. */
  record Cosine(long warmupSteps, long totalSteps, double numCycles) implements LrSchedule {
    /** Rejects a negative warm-up, a total shorter than the warm-up, or a non-positive cycle count. */
    public Cosine {
      checkSteps(warmupSteps, totalSteps);
      if (!(numCycles > 0)) {
        throw new IllegalArgumentException("cosine num_cycles must be > 0, got " + numCycles);
      }
    }

    @Override
    public double factor(long s) {
      if (s < warmupSteps) {
        return warmup(s, warmupSteps);
      }
      double progress = (double) (s - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
      return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress)));
    }

    @Override
    public String describe() {
      return "cosine(warmup=" + warmupSteps + ",total=" + totalSteps + ",cycles=" + numCycles + ")";
    }
  }
}
