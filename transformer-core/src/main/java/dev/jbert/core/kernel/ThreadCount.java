package dev.jbert.core.kernel;

/**
 * How many threads jbert computes on: {@code JBERT_THREADS} from the environment, else the number of
 * available processors capped at 2 (the 2-core machines this project is tuned for). Read by the
 * kernel threads ({@link Parallel}) and by {@code dev.jbert.core.backend.Backend} for ND4J's pools, so that
 * both agree, and kept here so that the kernel package depends on nothing of jbert's above it.
 */
public final class ThreadCount {

  private ThreadCount() {}

  /**
   * The thread count the environment asks for.
   *
   * @throws IllegalArgumentException where {@code JBERT_THREADS} is set but not a positive integer
   */
  public static int fromEnvironment() {
    String env = System.getenv("JBERT_THREADS");
    if (env != null && !env.isBlank()) {
      try {
        int n = Integer.parseInt(env.trim());
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("JBERT_THREADS must be a positive integer, got '" + env + "'", e);
      }
      throw new IllegalArgumentException("JBERT_THREADS must be a positive integer, got '" + env + "'");
    }
    return Math.min(2, Runtime.getRuntime().availableProcessors());
  }
}
