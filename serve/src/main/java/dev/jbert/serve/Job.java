package dev.jbert.serve;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request's inputs on their way through a {@link Batcher}: they are batched together, never split
 * over batches. The job ends exactly once: with the model's outputs, or as dropped (client gone), timed
 * out, or failed.
 *
 * <p>{@link #start()} and the endings are serialised on the job, so that the connection probe never
 * runs while a response is being written.
 *
 * @param <I> an encoded input of the model
 */
final class Job<I> {

  private enum State { QUEUED, RUNNING, DONE }

  private final List<I> inputs;
  private final int longest;
  private final ClientProbe probe;
  private final CompletableFuture<float[][]> result = new CompletableFuture<>();
  private final long enqueuedNanos = System.nanoTime();
  private long startedNanos;
  private long finishedNanos;
  private State state = State.QUEUED;

  /**
   * @param inputs the request's encoded inputs
   * @param longest the token count of the longest of them
   * @param probe the client's connection, or null when it cannot be probed
   */
  Job(List<I> inputs, int longest, ClientProbe probe) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("a job needs at least one input");
    }
    this.inputs = List.copyOf(inputs);
    this.longest = longest;
    this.probe = probe;
  }

  List<I> inputs() {
    return inputs;
  }

  int size() {
    return inputs.size();
  }

  int longest() {
    return longest;
  }

  /** Completes with one output row per input, or exceptionally with an {@link ApiError}. */
  CompletableFuture<float[][]> result() {
    return result;
  }

  /** What {@link #start()} found. */
  enum Claim {
    /** The job is the caller's to compute. */
    RUN,
    /** The client closed its connection: the job is ended as dropped. */
    CLIENT_GONE,
    /** The job had already ended (timed out, or failed at shutdown). */
    ENDED
  }

  /** Claims the job for computing, unless it already ended or its client is gone. */
  synchronized Claim start() {
    if (state != State.QUEUED) {
      return Claim.ENDED;
    }
    if (probe != null && probe.clientGone()) {
      state = State.DONE;
      result.completeExceptionally(new ClientGoneException());
      return Claim.CLIENT_GONE;
    }
    state = State.RUNNING;
    startedNanos = System.nanoTime();
    return Claim.RUN;
  }

  /** Whether the job has ended (answered, dropped, timed out or failed). */
  synchronized boolean isDone() {
    return state == State.DONE;
  }

  /** Ends a running job with the model's outputs, one row per input. */
  void finish(float[][] outputs) {
    synchronized (this) {
      if (state == State.DONE) {
        return; // timed out while it ran: nobody waits for it
      }
      state = State.DONE;
      finishedNanos = System.nanoTime();
    }
    result.complete(outputs);
  }

  /** Ends the job with an error (timeout, shutdown, failure), unless it already ended. */
  void fail(ApiError error) {
    synchronized (this) {
      if (state == State.DONE) {
        return;
      }
      state = State.DONE;
    }
    result.completeExceptionally(error);
  }

  /**
   * Ends the job with {@code error} (its timeout) unless it already ended.
   *
   * @return true when it had not started: it is dropped, never computed
   */
  boolean expire(ApiError error) {
    boolean queued;
    synchronized (this) {
      if (state == State.DONE) {
        return false;
      }
      queued = state == State.QUEUED;
      state = State.DONE;
    }
    result.completeExceptionally(error);
    return queued;
  }

  /** Whether the connection must be closed after the response (see {@link ClientProbe#consumedInput()}). */
  boolean closeConnection() {
    return probe != null && probe.consumedInput();
  }

  /** Seconds from submission to the start of its batch (to now if it never started). */
  synchronized double queueSeconds() {
    long end = startedNanos != 0 ? startedNanos : System.nanoTime();
    return (end - enqueuedNanos) / 1e9;
  }

  /** Seconds its batch computed, or 0 if it did not finish. */
  synchronized double inferenceSeconds() {
    return startedNanos != 0 && finishedNanos != 0 ? (finishedNanos - startedNanos) / 1e9 : 0;
  }

  /** The client closed its connection before the job was computed. */
  static final class ClientGoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ClientGoneException() {
      super("the client closed the connection before its request was computed", null, false, false);
    }
  }
}
