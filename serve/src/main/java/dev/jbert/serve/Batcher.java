package dev.jbert.serve;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue of one model and the threads that drain it, one per {@link Replica}. A request that finds
 * the queue empty and a replica free is computed at once by the thread that submits it: at one request
 * at a time, the hand-off to a batcher thread and back cost about 2 ms a request (the README's load
 * benchmark). Otherwise it is queued, and whenever a replica is free, a
 * batcher thread takes the oldest waiting request and adds later ones while the batch stays within
 * the token budget ({@code maxBatchTokens}, counted padded: longest input × inputs, the cost of one
 * padded forward pass) and the request limit ({@code maxBatchRequests}); a request that does not fit
 * waits for the next batch, which it then starts, so none is passed over twice. A request's inputs
 * always stay together; one request over the budget on its own runs alone.
 *
 * <p>Inside a batch, the inputs of all its requests are sorted by length and cut into forward passes
 * of at most {@value #FORWARD_BATCH} inputs (and {@code maxBatchTokens} padded tokens) where that costs
 * least ({@link ForwardPlan}): short messages are not padded to the length of the longest one.
 *
 * <p>Before computing, each request is claimed ({@link Job#start()}): one that timed out, or whose
 * client closed the connection, is dropped there. The queue itself has no bound: the service admits at
 * most {@code --max-concurrent-requests} requests over all models and answers 429 beyond.
 */
final class Batcher<I> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

  /** Inputs per forward pass at most: the in-process Predictor's default. */
  static final int FORWARD_BATCH = 32;

  private static final AtomicLong ERROR_IDS = new AtomicLong();

  private final String model;
  private final ToIntFunction<I> length;
  private final int maxBatchTokens;
  private final int maxBatchRequests;
  private final Metrics metrics;
  private final BatchHook hook;
  private final ArrayDeque<Job<I>> queue = new ArrayDeque<>();
  /** Replicas that nobody computes on now. */
  private final ArrayDeque<Replica<I>> free = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when a request is queued, a replica comes free, or the batcher closes. */
  private final Condition changed = lock.newCondition();
  private final List<Thread> threads = new ArrayList<>();
  private boolean closed;

  Batcher(String model, List<? extends Replica<I>> replicas, ToIntFunction<I> length, int maxBatchTokens,
      int maxBatchRequests, Metrics metrics, BatchHook hook) {
    this.model = model;
    this.length = length;
    this.maxBatchTokens = maxBatchTokens;
    this.maxBatchRequests = maxBatchRequests;
    this.metrics = metrics;
    this.hook = hook;
    this.free.addAll(replicas);
    for (int i = 0; i < replicas.size(); i++) {
      Thread t = new Thread(this::work, "jbert-batcher-" + model + "-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
  }

  /**
   * Computes the request on the calling thread when the queue is empty and a replica is free (the job
   * has ended when this returns), else queues it for a batcher thread.
   *
   * @throws ApiError 503 once the batcher is closed
   */
  void submit(Job<I> job) {
    Replica<I> idle;
    lock.lock();
    try {
      if (closed) {
        throw new ApiError(503, ApiError.Type.UNHEALTHY, "the service is shutting down", 5);
      }
      idle = queue.isEmpty() ? free.pollFirst() : null;
      if (idle == null) {
        queue.addLast(job);
        changed.signal();
        return;
      }
    } finally {
      lock.unlock();
    }
    run(idle, List.of(job));
  }

  private void giveBack(Replica<I> replica) {
    lock.lock();
    try {
      free.addLast(replica);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Requests waiting for a batch. */
  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Replicas nobody computes on now. */
  int freeReplicas() {
    lock.lock();
    try {
      return free.size();
    } finally {
      lock.unlock();
    }
  }

  /** The next batch: the oldest request and the later ones that fit; null once closed and empty. */
  private Lease<I> take() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() || free.isEmpty()) {
        if (closed && queue.isEmpty()) {
          return null;
        }
        changed.await();
      }
      Replica<I> replica = free.pollFirst();
      List<Job<I>> batch = new ArrayList<>();
      Job<I> first = queue.pollFirst();
      batch.add(first);
      int longest = first.longest();
      int inputs = first.size();
      for (Iterator<Job<I>> it = queue.iterator(); it.hasNext() && batch.size() < maxBatchRequests; ) {
        Job<I> next = it.next();
        int longer = Math.max(longest, next.longest());
        if ((long) longer * (inputs + next.size()) <= maxBatchTokens) {
          it.remove();
          batch.add(next);
          longest = longer;
          inputs += next.size();
        }
      }
      return new Lease<>(replica, batch);
    } finally {
      lock.unlock();
    }
  }

  /** A batch and the replica it runs on. */
  private record Lease<I>(Replica<I> replica, List<Job<I>> batch) {}

  private void work() {
    while (true) {
      Lease<I> lease;
      try {
        lease = take();
      } catch (InterruptedException e) {
        return;
      }
      if (lease == null) {
        return;
      }
      run(lease.replica(), lease.batch());
    }
  }

  /** Claims each job of the batch, computes those still wanted on {@code replica}, and frees it. */
  private void run(Replica<I> replica, List<Job<I>> batch) {
    try {
      List<Job<I>> live = new ArrayList<>(batch.size());
      for (Job<I> job : batch) {
        switch (job.start()) {
          case RUN -> live.add(job);
          case CLIENT_GONE -> metrics.dropped(model, "client_gone");
          case ENDED -> { } // timed out while queued: answered and counted already
        }
      }
      if (!live.isEmpty()) {
        compute(replica, live);
      }
    } finally {
      giveBack(replica);
    }
  }

  private void compute(Replica<I> replica, List<Job<I>> jobs) {
    List<I> inputs = new ArrayList<>();
    for (Job<I> job : jobs) {
      inputs.addAll(job.inputs());
    }
    int n = inputs.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> length.applyAsInt(inputs.get(i))));
    int[] sorted = new int[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = length.applyAsInt(inputs.get(order[i]));
    }
    int[] ends = ForwardPlan.cuts(sorted, FORWARD_BATCH, maxBatchTokens);
    long padded = 0;
    for (int k = 0, start = 0; k < ends.length; start = ends[k], k++) {
      padded += (long) (ends[k] - start) * sorted[ends[k] - 1];
    }
    metrics.batch(model, jobs.size(), n, ends.length, padded);
    try {
      hook.beforeBatch(model, n);
      float[][] out = new float[n][];
      for (int k = 0, start = 0; k < ends.length; start = ends[k], k++) {
        List<I> pass = new ArrayList<>(ends[k] - start);
        for (int i = start; i < ends[k]; i++) {
          pass.add(inputs.get(order[i]));
        }
        float[][] rows = replica.run(pass);
        for (int i = start; i < ends[k]; i++) {
          out[order[i]] = rows[i - start];
        }
      }
      int at = 0;
      for (Job<I> job : jobs) {
        float[][] rows = new float[job.size()][];
        System.arraycopy(out, at, rows, 0, rows.length);
        at += rows.length;
        job.finish(rows);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      jobs.forEach(j -> j.fail(new ApiError(503, ApiError.Type.UNHEALTHY, "the service is shutting down", 5)));
    } catch (Throwable t) { // the batch fails, the service goes on; no detail leaves the process
      long id = ERROR_IDS.incrementAndGet();
      LOG.error("inference failed on model {} (error {}) for a batch of {} inputs", model, id, n, t);
      ApiError error = new ApiError(500, ApiError.Type.BACKEND, "inference failed (error " + id + "); see the server log");
      jobs.forEach(j -> j.fail(error)); // and the thread goes on: a dead batcher thread would hang every later request
    }
  }

  /** Stops taking requests; the threads finish what is queued and then end. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll(); // every waiting thread sees it is closed
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits, after {@link #close()}, for the threads to end and for every replica to be free (a request
   * computed on the thread that received it may still hold one); true when that happened within
   * {@code timeout}.
   */
  boolean awaitTermination(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, left);
      }
      if (t.isAlive()) {
        return false;
      }
    }
    lock.lock();
    try {
      while (free.size() < threads.size()) { // one thread per replica
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }
}
