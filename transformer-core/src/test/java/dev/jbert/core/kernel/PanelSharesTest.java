package dev.jbert.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PanelSharesTest {

  @Test
  void oneThreadTakesEveryPanelInOrder() {
    assertEquals(List.of(0, 1, 2, 3, 4), drain(new PanelShares(5, 1), 0));
  }

  @Test
  void aThreadAloneTakesItsShareThenTheOthersFromTheBack() {
    PanelShares shares = new PanelShares(8, 2);
    assertEquals(List.of(0, 1, 2, 3, 7, 6, 5, 4), drain(shares, 0));
    assertEquals(List.of(), drain(shares, 1));
  }

  @Test
  void aThreadStealsFromTheFullestShare() {
    PanelShares shares = new PanelShares(9, 3);                // shares [0,3) [3,6) [6,9)
    assertEquals(3, shares.next(1));
    assertEquals(List.of(0, 1, 2, 8, 5, 7, 4, 6), drain(shares, 0));
  }

  @Test
  void threadsTogetherTakeEachPanelOnce() throws InterruptedException {
    for (int round = 0; round < 200; round++) {
      int panels = 37;
      int threads = 4;
      PanelShares shares = new PanelShares(panels, threads);
      ConcurrentLinkedQueue<Integer> taken = new ConcurrentLinkedQueue<>();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread w = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int p = shares.next(thread); p >= 0; p = shares.next(thread)) {
            taken.add(p);
          }
        });
        w.start();
        workers.add(w);
      }
      start.countDown();
      for (Thread w : workers) {
        w.join();
      }
      List<Integer> sorted = new ArrayList<>(taken);
      sorted.sort(null);
      List<Integer> expected = new ArrayList<>();
      for (int p = 0; p < panels; p++) {
        expected.add(p);
      }
      assertEquals(expected, sorted, "round " + round);
    }
  }

  private static List<Integer> drain(PanelShares shares, int thread) {
    List<Integer> got = new ArrayList<>();
    for (int p = shares.next(thread); p >= 0; p = shares.next(thread)) {
      got.add(p);
    }
    return got;
  }
}
