package dev.jbert.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The batcher's rules with a fake model whose inputs are token counts: a request's inputs stay
 * together, a batch keeps to the padded token budget (longest × inputs) and the request limit, the
 * oldest waiting request always goes into the next batch, inputs run sorted by length, and each
 * request gets its own rows back.
 */
class BatcherTest {

  /** Records each forward pass (as the token counts of its inputs) and answers each input with {input}. */
  private static final class FakeReplica implements Replica<Integer> {
    final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());

    @Override
    public float[][] run(List<Integer> inputs) {
      batches.add(List.copyOf(inputs));
      float[][] out = new float[inputs.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = new float[] {inputs.get(i)};
      }
      return out;
    }

    @Override
    public void close() {}
  }

  private static Job<Integer> job(int... lengths) {
    List<Integer> inputs = new ArrayList<>();
    int longest = 0;
    for (int l : lengths) {
      inputs.add(l);
      longest = Math.max(longest, l);
    }
    return new Job<>(inputs, longest, null);
  }

  /** Submits from a new thread: a request that finds the model idle is computed by its submitter. */
  private static void submitElsewhere(Batcher<Integer> batcher, Job<Integer> job) {
    Thread t = new Thread(() -> batcher.submit(job), "submitter");
    t.setDaemon(true);
    t.start();
  }

  @Test
  void aRequestThatFindsTheModelIdleRunsOnTheSubmittingThreadAndLaterOnesOnTheBatcher() throws Exception {
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    FakeReplica replica = new FakeReplica();
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Batcher<Integer> batcher = new Batcher<>("m", List.of(replica), Integer::intValue, 100, 8, new Metrics(), (model, inputs) -> {
      threads.add(Thread.currentThread().getName());
      first.countDown();
      release.await();
    });
    Job<Integer> idle = job(3);
    submitElsewhere(batcher, idle);
    assertTrue(first.await(5, TimeUnit.SECONDS));
    Job<Integer> a = job(4);
    Job<Integer> b = job(5);
    batcher.submit(a); // the replica is busy: queued, and submit returns at once
    batcher.submit(b);
    assertTrue(!a.result().isDone() && !b.result().isDone());
    release.countDown();
    for (Job<Integer> j : List.of(idle, a, b)) {
      assertArrayEquals(new float[] {j.inputs().get(0)}, j.result().get(5, TimeUnit.SECONDS)[0]);
    }
    while (batcher.freeReplicas() < 1) { // the batcher thread hands the replica back after answering
      Thread.sleep(1);
    }
    Job<Integer> later = job(6); // the model is idle again: computed before submit returns
    batcher.submit(later);
    assertTrue(later.result().isDone());
    batcher.close();
    assertTrue(batcher.awaitTermination(Duration.ofSeconds(5)));
    assertEquals(List.of("submitter", "jbert-batcher-m-0", Thread.currentThread().getName()), threads);
    assertEquals(List.of(List.of(3), List.of(4, 5), List.of(6)), replica.batches, "the queued two in one batch");
  }

  @Test
  void batchesKeepRequestsWholeWithinTheTokenBudgetAndRequestLimit() throws Exception {
    FakeReplica replica = new FakeReplica();
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BatchHook hold = (model, inputs) -> {
      first.countDown();
      release.await();
    };
    Batcher<Integer> batcher = new Batcher<>("m", List.of(replica), Integer::intValue, 100, 3, new Metrics(), hold);
    Job<Integer> blocker = job(5);
    submitElsewhere(batcher, blocker);
    assertTrue(first.await(5, TimeUnit.SECONDS));
    // queued while the replica is busy, oldest first
    Job<Integer> a = job(10, 10);       // 2 inputs, longest 10
    Job<Integer> b = job(40);           // with a: 40 x 3 = 120 > 100: waits
    Job<Integer> c = job(20, 20, 20);   // with a: 20 x 5 = 100: fits
    Job<Integer> d = job(1);            // with a and c: 20 x 6 = 120: waits
    Job<Integer> e = job(60, 60);       // 120 on its own: over the budget, runs alone
    for (Job<Integer> j : List.of(a, b, c, d, e)) {
      batcher.submit(j);
    }
    release.countDown();
    for (Job<Integer> j : List.of(blocker, a, b, c, d, e)) {
      float[][] rows = j.result().get(5, TimeUnit.SECONDS);
      for (int i = 0; i < j.size(); i++) {
        assertArrayEquals(new float[] {j.inputs().get(i)}, rows[i], "each request gets its own rows");
      }
    }
    batcher.close();
    assertTrue(batcher.awaitTermination(Duration.ofSeconds(5)));
    assertEquals(List.of(
        List.of(5),
        List.of(10, 10, 20, 20, 20),   // a + c: b and d would break the budget
        List.of(1, 40),                 // b is now the oldest and starts the batch; d joins; e (60 x 4) does not fit
        List.of(60), List.of(60)),      // e runs alone, in two passes: 60 x 2 is over the budget
        replica.batches, "forward passes, each sorted by length");
  }

  @Test
  void aBatchHoldsAtMostMaxBatchRequests() throws Exception {
    FakeReplica replica = new FakeReplica();
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Batcher<Integer> batcher = new Batcher<>("m", List.of(replica), Integer::intValue, 10_000, 2, new Metrics(), (model, inputs) -> {
      first.countDown();
      release.await();
    });
    submitElsewhere(batcher, job(1));
    assertTrue(first.await(5, TimeUnit.SECONDS));
    List<Job<Integer>> jobs = List.of(job(2, 2), job(3), job(4), job(5, 5, 5));
    jobs.forEach(batcher::submit);
    release.countDown();
    for (Job<Integer> j : jobs) {
      j.result().get(5, TimeUnit.SECONDS);
    }
    batcher.close();
    assertTrue(batcher.awaitTermination(Duration.ofSeconds(5)));
    assertEquals(List.of(List.of(1), List.of(2, 2, 3), List.of(4, 5, 5, 5)), replica.batches);
  }

  @Test
  void aRequestOverTheBudgetRunsAloneAndAnEndedJobIsSkipped() throws Exception {
    FakeReplica replica = new FakeReplica();
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Batcher<Integer> batcher = new Batcher<>("m", List.of(replica), Integer::intValue, 50, 10, new Metrics(), (model, inputs) -> {
      first.countDown();
      release.await();
    });
    submitElsewhere(batcher, job(1));
    assertTrue(first.await(5, TimeUnit.SECONDS));
    Job<Integer> expired = job(2);
    Job<Integer> big = job(30, 30);
    batcher.submit(expired);
    batcher.submit(big);
    assertTrue(expired.expire(new ApiError(504, ApiError.Type.TIMEOUT, "late")), "it was still queued");
    release.countDown();
    big.result().get(5, TimeUnit.SECONDS);
    batcher.close();
    assertTrue(batcher.awaitTermination(Duration.ofSeconds(5)));
    assertEquals(List.of(List.of(1), List.of(30), List.of(30)), replica.batches,
        "the expired job is never computed; the big one runs alone, one input per pass (60 > 50 tokens)");
  }
}
