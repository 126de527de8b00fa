package dev.jbert.core.kernel;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Splits the rows of a kernel over {@link ThreadCount#fromEnvironment()} threads (the caller plus a small daemon
 * pool), so that the hand-written kernels use the cores the way ND4J's own ops do.
 *
 * <p>Rows are cut into a few slices more than there are threads, and each slice is claimed by
 * whichever thread comes first; the caller works through the slices too and waits only for slices
 * already running elsewhere. On a busy machine, where a pool thread may not be scheduled for
 * milliseconds, the caller then does the work itself instead of waiting for it. Idle threads spin
 * briefly before they park ({@link #SPIN_NANOS}).
 */
public final class Parallel {

  /** Work on rows {@code [from, to)}; {@code part} numbers the slice from 0 (for per-slice sums). */
  @FunctionalInterface
  public interface Body {
    void run(int part, int from, int to);
  }

  private static final int THREADS = ThreadCount.fromEnvironment();
  private static final int SLICES_PER_THREAD = 4;
  /**
   * How long an idle thread (a pool thread with no slice, a caller waiting for one) spins before it
   * parks. A forward pass at batch 1 runs a split kernel every few tens of microseconds, and waking
   * a parked thread on an idle vCPU costs about as much as the slice it was woken for: MiniLM at 1×32
   * took 12.5-13.3 ms median with threads that parked at once, 9.3-9.7 ms with 100 µs of spinning
   * (200 µs and 1 ms gave no more; docs/performance.md, "Threads and memory", has the command). A thread
   * then burns at most 100 µs of a core after the last kernel before it sleeps.
   */
  static final long SPIN_NANOS = 100_000;

  /** Work for the pool threads; taken by polling while they spin, by a blocking take after. */
  private static final LinkedTransferQueue<Runnable> TASKS = new LinkedTransferQueue<>();

  static {
    for (int i = 1; i < THREADS; i++) {
      Thread t = new Thread(Parallel::serve, "jbert-kernel");
      t.setDaemon(true);
      t.start();
    }
  }

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
    if (parts == 1 || THREADS == 1) {
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
      TASKS.offer(work);
    }
    work.run();
    try {
      spinThenAwait(done);
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

  /** A pool thread: runs each task it gets, spinning {@link #SPIN_NANOS} for the next before it parks. */
  private static void serve() {
    while (true) {
      Runnable task = TASKS.poll();
      for (long until = System.nanoTime() + SPIN_NANOS; task == null && System.nanoTime() < until; task = TASKS.poll()) {
        Thread.onSpinWait();
      }
      while (task == null) {
        try {
          task = TASKS.take();
        } catch (InterruptedException e) {
          // daemon threads nobody interrupts on purpose: keep serving
        }
      }
      task.run();
    }
  }

  private static void spinThenAwait(CountDownLatch done) throws InterruptedException {
    for (long until = System.nanoTime() + SPIN_NANOS; done.getCount() > 0 && System.nanoTime() < until; ) {
      Thread.onSpinWait();
    }
    done.await();
  }

  private static int bound(int n, int parts, int p) {
    return (int) ((long) n * p / parts);
  }
}
