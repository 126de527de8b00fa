package dev.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two workers timed in turns: who ran when, and a worker that dies before it is ready. */
class ChildJvmTest {

  /** What a {@link Clock} worker reports: its name and the wall-clock start of each timed run. */
  record Runs(String name, List<Long> startedAt) {}

  /** A worker whose timed run is a 30 ms sleep; {@code fail} as its name makes it exit before READY. */
  public static final class Clock {
    public static void main(String[] args) throws Exception {
      if (args[0].equals("fail")) {
        System.exit(3);
      }
      List<Long> started = new ArrayList<>();
      ChildJvm.runsOnRequest(() -> {
        started.add(System.currentTimeMillis());
        try {
          Thread.sleep(30);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        return 30;
      });
      ChildJvm.printResult(new Runs(args[0], started));
    }
  }

  @Test
  void workersTakeTheirTimedRunsInTurns() throws Exception {
    List<Runs> runs = ChildJvm.runAlternating(List.of(new ChildJvm.Worker(Clock.class, List.of("a")),
        new ChildJvm.Worker(Clock.class, List.of("b"))), 3, Runs.class);
    assertEquals("a", runs.get(0).name());
    assertEquals("b", runs.get(1).name());
    List<Long> a = runs.get(0).startedAt();
    List<Long> b = runs.get(1).startedAt();
    assertEquals(3, a.size());
    assertEquals(3, b.size());
    for (int i = 0; i < 3; i++) {
      assertTrue(a.get(i) + 30 <= b.get(i), "b's run " + i + " after a's: " + a + " " + b);
      if (i + 1 < 3) {
        assertTrue(b.get(i) + 30 <= a.get(i + 1), "a's run " + (i + 1) + " after b's " + i + ": " + a + " " + b);
      }
    }
  }

  @Test
  void aWorkerThatDiesBeforeItIsReadyIsNamed() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ChildJvm.runAlternating(
        List.of(new ChildJvm.Worker(Clock.class, List.of("a")), new ChildJvm.Worker(Clock.class, List.of("fail"))), 2,
        Runs.class));
    assertTrue(e.getMessage().contains("Clock fail") && e.getMessage().contains(ChildJvm.READY), e.getMessage());
  }
}
