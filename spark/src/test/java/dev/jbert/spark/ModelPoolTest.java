package dev.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Lending model copies to tasks: load lazily, reuse idle copies, wait at the limit, retire. */
class ModelPoolTest {

  /** A stand-in model that counts closes. */
  private static final class Copy implements AutoCloseable {
    boolean closed;

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void anIdleCopyIsReusedAndABusyOneMakesAnother() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    ModelPool<Copy> pool = new ModelPool<>(() -> {
      loads.incrementAndGet();
      return new Copy();
    }, Integer.MAX_VALUE);
    Copy first = pool.borrow();
    Copy second = pool.borrow(); // the first is busy: a second copy
    assertNotSame(first, second);
    pool.giveBack(first);
    assertSame(first, pool.borrow(), "an idle copy is lent again, not reloaded");
    assertEquals(2, loads.get());
    assertEquals(2, pool.loads());
  }

  @Test
  void atTheLimitABorrowerWaitsForTheCopyToComeBack() throws Exception {
    ModelPool<Copy> pool = new ModelPool<>(Copy::new, 1);
    Copy only = pool.borrow();
    CompletableFuture<Copy> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return pool.borrow();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThrows(TimeoutException.class, () -> waiting.get(200, TimeUnit.MILLISECONDS), "no second copy at the limit");
    pool.giveBack(only);
    assertSame(only, waiting.get(10, TimeUnit.SECONDS));
    assertEquals(1, pool.loads());
  }

  @Test
  void aFailedLoadFreesItsSlotAndReachesTheBorrower() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    ModelPool<Copy> pool = new ModelPool<>(() -> {
      if (attempts.incrementAndGet() == 1) {
        throw new IllegalArgumentException("model path '/x' does not exist");
      }
      return new Copy();
    }, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, pool::borrow);
    assertTrue(e.getMessage().contains("/x"));
    assertEquals(0, pool.copies());
    pool.borrow(); // the one slot is free again: no wait
    assertEquals(1, pool.copies());
  }

  @Test
  void aRetiredPoolClosesIdleCopiesAndThoseGivenBackLater() throws Exception {
    ModelPool<Copy> pool = new ModelPool<>(Copy::new, Integer.MAX_VALUE);
    Copy idle = pool.borrow();
    Copy busy = pool.borrow();
    pool.giveBack(idle);
    pool.retire();
    assertTrue(idle.closed);
    assertFalse(busy.closed, "still in use by a task");
    pool.giveBack(busy);
    assertTrue(busy.closed);
    assertEquals(0, pool.copies());
  }
}
