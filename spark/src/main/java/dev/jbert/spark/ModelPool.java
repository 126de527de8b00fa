package dev.jbert.spark;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The loaded copies of one model in this JVM: a task borrows a copy for one batch and gives it back.
 * A copy is loaded only when every existing copy is busy and fewer than {@code maxCopies} exist;
 * otherwise the borrower waits for one to come back.
 */
final class ModelPool<M extends AutoCloseable> {

  /** Loads one copy; its exception reaches the borrower. */
  @FunctionalInterface
  interface Loader<M> {
    M load() throws Exception;
  }

  private final Loader<M> loader;
  private final int maxCopies;
  private final Deque<M> idle = new ArrayDeque<>();
  private int copies;
  private int loads;
  private boolean retired;

  ModelPool(Loader<M> loader, int maxCopies) {
    if (maxCopies < 1) {
      throw new IllegalArgumentException("max copies must be >= 1, got " + maxCopies);
    }
    this.loader = loader;
    this.maxCopies = maxCopies;
  }

  /** An idle copy, a newly loaded one, or (at the limit) the next one given back. */
  M borrow() throws Exception {
    synchronized (this) {
      while (idle.isEmpty() && copies >= maxCopies) {
        wait();
      }
      if (!idle.isEmpty()) {
        return idle.pop();
      }
      copies++; // reserve the slot, then load without holding the lock
    }
    try {
      M model = loader.load();
      synchronized (this) {
        loads++;
      }
      return model;
    } catch (Exception | Error e) {
      synchronized (this) {
        copies--;
        notifyAll();
      }
      throw e;
    }
  }

  /** Returns a borrowed copy; after {@link #retire()} it is closed instead. */
  void giveBack(M model) throws Exception {
    synchronized (this) {
      if (!retired) {
        idle.push(model);
        notifyAll();
        return;
      }
      copies--;
      notifyAll(); // a task still on the old folder may wait for a copy: it loads a fresh one
    }
    model.close();
  }

  /** Closes the idle copies and every copy given back later (the folder changed on disk). */
  void retire() throws Exception {
    Deque<M> closing;
    synchronized (this) {
      retired = true;
      closing = new ArrayDeque<>(idle);
      copies -= idle.size();
      idle.clear();
    }
    for (M model : closing) {
      model.close();
    }
  }

  /** How many times a copy was loaded. */
  synchronized int loads() {
    return loads;
  }

  /** Copies that exist now, idle or borrowed. */
  synchronized int copies() {
    return copies;
  }
}
