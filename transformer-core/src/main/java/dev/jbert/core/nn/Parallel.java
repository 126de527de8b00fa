package dev.jbert.core.nn;

import dev.jbert.core.Backend;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits the rows of a kernel over {@link Backend#threads()} threads (the caller plus a small
 * daemon pool), so that the hand-written kernels use the cores the way ND4J's own ops do.
 */
public final class Parallel {

  /** Work on rows {@code [from, to)}; {@code part} numbers the slice from 0 (for per-slice sums). */
  @FunctionalInterface
  public interface Body {
    void run(int part, int from, int to);
  }

  private static final int THREADS = Backend.threads();
  private static final ExecutorService POOL = THREADS > 1
      ? Executors.newFixedThreadPool(THREADS - 1, r -> {
          Thread t = new Thread(r, "jbert-kernel");
          t.setDaemon(true);
          return t;
        })
      : null;

  private Parallel() {}

  /** Maximum number of slices {@link #rows} makes (size per-slice partial sums by it). */
  public static int maxParts() {
    return THREADS;
  }

  /**
   * Runs {@code body} over {@code n} rows in up to {@link #maxParts()} contiguous slices, slices
   * of at least {@code minRows} rows, and returns when all are done.
   */
  public static void rows(int n, int minRows, Body body) {
    int parts = Math.max(1, Math.min(THREADS, n / Math.max(1, minRows)));
    if (parts == 1) {
      body.run(0, 0, n);
      return;
    }
    @SuppressWarnings("unchecked")
    Future<?>[] futures = new Future<?>[parts - 1];
    for (int p = 1; p < parts; p++) {
      int part = p;
      futures[p - 1] = POOL.submit(() -> body.run(part, bound(n, parts, part), bound(n, parts, part + 1)));
    }
    body.run(0, 0, bound(n, parts, 1));
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a kernel", e);
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException re) {
          throw re;
        }
        if (c instanceof Error er) {
          throw er;
        }
        throw new IllegalStateException(c);
      }
    }
  }

  private static int bound(int n, int parts, int p) {
    return (int) ((long) n * p / parts);
  }
}
