package dev.jbert.core.nn;

import dev.jbert.core.kernel.DropoutMask;
import java.util.SplittableRandom;

/**
 * The train/eval switch, the model-wide dropout switch and the seeded random stream shared by
 * every dropout layer of one model.
 *
 * <p>Dropout is active only when training and not switched off. With the same seed and the same
 * sequence of calls, the masks are the same, whatever the thread count.
 */
public final class TrainingMode {

  private boolean training;
  private boolean dropoutEnabled = true;
  private SplittableRandom random;

  /** Starts in eval mode with dropout enabled (it acts once training). */
  public TrainingMode(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** Whether the model is in training mode. */
  public boolean isTraining() {
    return training;
  }

  /** Training mode (dropout acts unless switched off) or eval mode (every dropout is the identity). */
  public void setTraining(boolean training) {
    this.training = training;
  }

  /** Whether dropout acts in training mode. */
  public boolean isDropoutEnabled() {
    return dropoutEnabled;
  }

  /** Switches every dropout of the model off (false) or back on (true), training mode included. */
  public void setDropoutEnabled(boolean enabled) {
    this.dropoutEnabled = enabled;
  }

  /** Restarts the random stream of the dropout masks. */
  public void reseed(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** Whether dropout layers drop anything now. */
  public boolean dropoutActive() {
    return training && dropoutEnabled;
  }

  /**
   * The mask of the next dropout of probability {@code p} (a new seed from the stream), or null
   * (the identity) when dropout does not act now or p is 0.
   */
  public DropoutMask drawMask(double p) {
    if (!dropoutActive() || p == 0) {
      return null;
    }
    return DropoutMask.of(p, random.nextLong());
  }
}
