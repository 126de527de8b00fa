package dev.jbert.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Backend#initInBackground()} in a fresh JVM (here every test class shares one, where ND4J is
 * long loaded): the next {@link Backend#init()} waits for it, and what it threw is thrown there.
 */
class BackendInBackgroundTest {

  private static String run(String threads) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        Child.class.getName()).redirectErrorStream(true);
    if (threads != null) {
      pb.environment().put("JBERT_THREADS", threads);
    } else {
      pb.environment().remove("JBERT_THREADS");
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void initWaitsForTheBackgroundLoad() throws Exception {
    String out = run(null);
    assertTrue(out.contains("blasThreads=1 sameFailure=n/a"), out);          // OpenBLAS would run on both cores
  }

  @Test
  void whatTheBackgroundLoadThrewIsThrownByInit() throws Exception {
    String out = run("two");
    assertTrue(out.contains("failed: JBERT_THREADS must be a positive integer, got 'two' sameFailure=true"), out);
  }

  /** Starts the background load, then calls init() twice; prints the thread count or the failure. */
  public static final class Child {
    public static void main(String[] args) {
      Backend.initInBackground();
      try {
        Backend.init();
        System.out.println("blasThreads=" + Nd4j.factory().blas().getMaxThreads() + " sameFailure=n/a");
      } catch (IllegalArgumentException first) {
        boolean same;
        try {
          Backend.init();
          same = false;
        } catch (IllegalArgumentException second) {
          same = second == first;            // rethrown, not a second attempt
        }
        System.out.println("failed: " + first.getMessage() + " sameFailure=" + same);
      }
    }
  }
}
