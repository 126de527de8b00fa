package dev.jbert.core.kernel;

import dev.jbert.core.Backend;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Splits the rows of a kernel over {@link Backend#threads()} threads (the caller plus a small daemon
 * pool), so that the hand-written kernels use the cores the way ND4J's own ops do.
 *
 * <p>Rows are cut into a few slices more than there are threads, and each slice is claimed by
 * whichever thread comes first; the caller works through the slices too and waits only for slices
 * already running elsewhere. On a busy machine, where a pool thread may not be scheduled for
 * milliseconds, the caller then does the work itself instead of waiting for it.
 */
public final class Parallel {

  /** Work on rows {@code [from, to)}; {@code part} numbers the slice from 0 (for per-slice sums). */
  @FunctionalInterface
  public interface Body {
    void run(int part, int from, int to);
  }

  private static final int THREADS = Backend.threads();
  private static final int SLICES_PER_THREAD = 4;
  private static final ExecutorService POOL = THREADS > 1
      ? Executors.newFixedThreadPool(THREADS - 1, r -> {
          Thread t = new Thread(r, "jbert-kernel");
          t.setDaemon(true);
          return t;
        })
      : null;

  private Parallel() {}

  /** Number of kernel threads, the caller included. */
  public static int threads() {
    return THREADS;
  }

  /** Maximum number of slices {@link #rows} makes (size per-slice partial sums by it). */
  public static int maxParts() {
    return THREADS * SLICES_PER_THREAD;
  }

  /**
   * Runs {@code body} over {@code n} rows in up to {@link #maxParts()} contiguous slices of at least
   * {@code minRows} rows, and returns when all are done.
   */
  public static void rows(int n, int minRows, Body body) {
    int parts = Math.max(1, Math.min(maxParts(), n / Math.max(1, minRows)));
    if (parts == 1 || POOL == null) {
      body.run(0, 0, n);
      return;
    }
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(parts);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable work = () -> {
      for (int p = next.getAndIncrement(); p < parts; p = next.getAndIncrement()) {
        try {
          body.run(p, bound(n, parts, p), bound(n, parts, p + 1));
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          done.countDown();
        }
      }
    };
    for (int t = 1; t < THREADS; t++) {
      POOL.execute(work);
    }
    work.run();
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a kernel", e);
    }
    Throwable t = failure.get();
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error er) {
      throw er;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
  }

  private static int bound(int n, int parts, int p) {
    return (int) ((long) n * p / parts);
  }
}
