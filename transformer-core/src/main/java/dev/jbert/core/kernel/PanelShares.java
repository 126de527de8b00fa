package dev.jbert.core.kernel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The panels of one packed product, shared out as in work stealing: each thread owns a contiguous
 * share and takes panels from its front; a thread whose share is done takes from the back of the
 * share with the most left. When the threads run at the same speed nobody steals and each reads
 * only its own slice of the weight; when one runs slower (it started later, or its core is busy)
 * the other finishes its panels instead of waiting for them. A thread's panels form few contiguous
 * runs: its own, and one from the back of each share it took from.
 *
 * <p>Measured with a static split (one share per thread, no stealing) on 2 vCPUs of an Intel Xeon:
 * the caller of MiniLM's 1×32 forward spent 13% of its time waiting for the pool thread at the end
 * of the packed products, in a profile sampled every 200 µs, which slows the threads unevenly and
 * overstates such waits; the forward ran faster with the shares in six of eight alternated pairs of
 * unprofiled runs (docs/performance.md, "The packed batch-1 GEMM").
 */
final class PanelShares {

  /** Per thread: the panels of its share not yet taken, {@code first << 32 | end}. */
  private final AtomicLong[] shares;

  /** Shares out panels {@code [0, panels)} in contiguous shares, one per thread. */
  PanelShares(int panels, int threads) {
    shares = new AtomicLong[threads];
    for (int t = 0; t < threads; t++) {
      shares[t] = new AtomicLong(range((int) ((long) panels * t / threads), (int) ((long) panels * (t + 1) / threads)));
    }
  }

  /** The next panel for {@code thread} (0 ≤ thread &lt; threads), or -1 when every panel is taken. */
  int next(int thread) {
    int own = take(shares[thread], false);
    if (own >= 0) {
      return own;
    }
    while (true) {
      AtomicLong fullest = null;
      int most = 0;
      for (AtomicLong share : shares) {
        long s = share.get();
        int left = end(s) - first(s);
        if (left > most) {
          most = left;
          fullest = share;
        }
      }
      if (fullest == null) {
        return -1;
      }
      int stolen = take(fullest, true);
      if (stolen >= 0) {
        return stolen;
      }
    }
  }

  /** Takes the first (or the last) panel left in {@code share}; -1 when none is. */
  private static int take(AtomicLong share, boolean fromBack) {
    while (true) {
      long s = share.get();
      int first = first(s);
      int end = end(s);
      if (first >= end) {
        return -1;
      }
      long rest = fromBack ? range(first, end - 1) : range(first + 1, end);
      if (share.compareAndSet(s, rest)) {
        return fromBack ? end - 1 : first;
      }
    }
  }

  private static long range(int first, int end) {
    return (long) first << 32 | end;
  }

  private static int first(long range) {
    return (int) (range >>> 32);
  }

  private static int end(long range) {
    return (int) range;
  }
}
