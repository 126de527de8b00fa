package dev.jbert.core.kernel;

/**
 * Runs a Vector API kernel until the JIT has compiled it: until then its vectors are boxed objects,
 * in the interpreter and C1, and a call takes tens of times longer than compiled. Used by the
 * warm-ups of {@link VectorGemm} and {@link VectorGelu}.
 */
final class JitWarmUp {

  /** Fast calls in a row that end a warm-up. */
  private static final int FAST_CALLS = 200;

  private JitWarmUp() {}

  /**
   * Calls {@code call} until {@value #FAST_CALLS} calls in a row each took under {@code fastNanos},
   * for at most {@code limitNanos} (where the JIT is off, say); returns whether they did.
   */
  static boolean untilFast(Runnable call, long fastNanos, long limitNanos) {
    long start = System.nanoTime();
    for (int fastInARow = 0; fastInARow < FAST_CALLS; ) {
      if (System.nanoTime() - start > limitNanos) {
        return false;
      }
      long t = System.nanoTime();
      call.run();
      fastInARow = System.nanoTime() - t < fastNanos ? fastInARow + 1 : 0;
    }
    return true;
  }
}
