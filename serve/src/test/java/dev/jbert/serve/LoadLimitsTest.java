package dev.jbert.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Overload answers at once with 429 and Retry-After while the service stays healthy; a request past its
 * timeout gets 504 (at the deadline if it is queued, and is then never computed); a request whose
 * client went away is dropped before it is computed; a failing batch answers 500 without its details.
 */
class LoadLimitsTest {

  private static final String ONE = "{\"text\": \"where is my card\"}";

  /** Holds every batch until released; counts batches and inputs. */
  private static final class Gate implements BatchHook {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger inputs = new AtomicInteger();

    @Override
    public void beforeBatch(String model, int n) throws InterruptedException {
      batches.incrementAndGet();
      inputs.addAndGet(n);
      entered.countDown();
      release.await();
    }
  }

  private static CompletableFuture<Http.Response> async(Http http, String path, String body) {
    return CompletableFuture.supplyAsync(() -> http.post(path, body));
  }

  /** Polls /metrics until {@code series} reaches {@code value}. */
  private static void awaitMetric(Http http, String series, double value) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ConcurrencyTest.value(http.get("/metrics").body(), series) != value) {
      assertTrue(System.nanoTime() < deadline, series + " never reached " + value);
      Thread.sleep(10);
    }
  }

  @Test
  void overloadIsAnsweredAtOnceWith429AndTheServiceStaysHealthy() throws Exception {
    Gate gate = new Gate();
    JbertServer server = TestServers.intent(o -> o.maxConcurrentRequests(2), gate);
    try {
      Http http = new Http(server.url());
      CompletableFuture<Http.Response> first = async(http, "/v1/classify", ONE);
      assertTrue(gate.entered.await(10, TimeUnit.SECONDS));
      CompletableFuture<Http.Response> second = async(http, "/v1/classify", ONE);
      awaitMetric(http, "jbert_requests_in_flight", 2);
      for (int i = 0; i < 5; i++) {
        long t0 = System.nanoTime();
        Http.Response r = http.post("/predict", "{\"inputs\": \"where is my card\"}");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        BadInputTest.assertError(r, 429, "overloaded", "overloaded");
        assertEquals("1", r.header("Retry-After"));
        assertTrue(ms < 1000, "answered at once, not queued: " + ms + " ms");
      }
      assertEquals(200, http.get("/health").status(), "overload is not ill health");
      gate.release.countDown();
      assertEquals(200, first.get(10, TimeUnit.SECONDS).status());
      assertEquals(200, second.get(10, TimeUnit.SECONDS).status());
      assertEquals(200, http.post("/v1/classify", ONE).status(), "admits again once the queue drains");
      assertTrue(http.get("/metrics").body().contains("status=\"429\"} 5.0"));
    } finally {
      gate.release.countDown();
      server.shutdown();
    }
  }

  @Test
  void aRequestPastItsTimeoutGets504AndIsNotComputedIfItNeverStarted() throws Exception {
    Gate gate = new Gate();
    JbertServer server = TestServers.intent(o -> o.requestTimeout(Duration.ofMillis(400)), gate);
    try {
      Http http = new Http(server.url());
      CompletableFuture<Http.Response> running = async(http, "/v1/classify", ONE);
      assertTrue(gate.entered.await(10, TimeUnit.SECONDS));
      long t0 = System.nanoTime();
      Http.Response queued = http.post("/v1/classify", "{\"texts\": [\"a\", \"b\", \"c\"]}");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      BadInputTest.assertError(queued, 504, "timeout", "400 ms");
      assertTrue(ms >= 350 && ms < 3000, "answered at the timeout: " + ms + " ms");
      // The first request found the model idle and runs on the thread that received it: it is
      // answered, 504 since it is past its timeout, when its forward pass ends
      assertFalse(running.isDone(), "answered while its forward pass still runs");
      gate.release.countDown();
      BadInputTest.assertError(running.get(10, TimeUnit.SECONDS), 504, "timeout", "did not finish");
      awaitMetric(http, "jbert_requests_dropped_total{model=\"intent\",reason=\"timeout\"}", 1);
      assertEquals(200, http.post("/v1/classify", ONE).status());
      assertEquals(2, gate.batches.get(), "the request that timed out in the queue never ran");
      assertEquals(2, gate.inputs.get());
    } finally {
      gate.release.countDown();
      server.shutdown();
    }
  }

  @Test
  void aRequestWhoseClientWentAwayIsDroppedBeforeCompute() throws Exception {
    Gate gate = new Gate();
    JbertServer server = TestServers.intent(o -> o, gate);
    try {
      Http http = new Http(server.url());
      CompletableFuture<Http.Response> first = async(http, "/v1/classify", ONE);
      assertTrue(gate.entered.await(10, TimeUnit.SECONDS));
      String body = "{\"texts\": [\"a\", \"b\", \"c\", \"d\"]}";
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        out.flush();
        awaitMetric(http, "jbert_queue_depth{model=\"intent\"}", 1);
      } // the client goes away while its request waits
      gate.release.countDown();
      assertEquals(200, first.get(10, TimeUnit.SECONDS).status());
      awaitMetric(http, "jbert_requests_dropped_total{model=\"intent\",reason=\"client_gone\"}", 1);
      assertEquals(200, http.post("/v1/classify", ONE).status());
      assertEquals(2, gate.batches.get(), "the abandoned request never ran");
      assertEquals(2, gate.inputs.get());
      assertTrue(http.get("/metrics").body().contains("status=\"499\"} 1.0"));
    } finally {
      gate.release.countDown();
      server.shutdown();
    }
  }

  @Test
  void aFailingBatchAnswers500WithoutItsDetails() throws Exception {
    BatchHook failing = (model, inputs) -> {
      throw new IllegalStateException("secret internal detail");
    };
    JbertServer server = TestServers.intent(o -> o, failing);
    try {
      Http http = new Http(server.url());
      Http.Response r = http.post("/v1/classify", ONE);
      BadInputTest.assertError(r, 500, "backend", "see the server log");
      assertFalse(r.body().contains("secret"));
      assertEquals(200, http.get("/health").status());
    } finally {
      server.shutdown();
    }
  }

  @Test
  void shutdownStopsEveryReplicaAfterLoad() throws Exception {
    JbertServer server = TestServers.intent(o -> o.workers(3), BatchHook.NONE);
    Http http = new Http(server.url());
    List<CompletableFuture<Http.Response>> calls = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      calls.add(async(http, "/v1/classify", ONE));
    }
    for (CompletableFuture<Http.Response> c : calls) {
      assertEquals(200, c.get(30, TimeUnit.SECONDS).status());
    }
    long t0 = System.nanoTime();
    assertTrue(server.shutdown());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 5000, "stopped in " + ms + " ms");
    assertTrue(server.batchersStopped(), "every batcher thread ended");
  }

  @Test
  void shutdownStopsAcceptingAndFinishesWhatIsInFlight() throws Exception {
    Gate gate = new Gate();
    JbertServer server = TestServers.intent(o -> o, gate);
    Http http = new Http(server.url());
    List<CompletableFuture<Http.Response>> inFlight = new ArrayList<>();
    inFlight.add(async(http, "/v1/classify", ONE));
    assertTrue(gate.entered.await(10, TimeUnit.SECONDS));
    inFlight.add(async(http, "/v1/classify", "{\"texts\": [\"refund\", \"card\"]}"));
    inFlight.add(async(http, "/predict", "{\"inputs\": \"hello\"}"));
    awaitMetric(http, "jbert_requests_in_flight", 3);
    CompletableFuture<Boolean> stopping = CompletableFuture.supplyAsync(server::shutdown);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.state() != JbertServer.State.DRAINING) {
      assertTrue(System.nanoTime() < deadline);
      Thread.sleep(5);
    }
    Thread.sleep(50);
    boolean refused;
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      refused = false;
    } catch (java.net.ConnectException e) {
      refused = true;
    }
    assertTrue(refused, "no new connections while draining");
    assertFalse(stopping.isDone(), "waits for the requests in flight");
    gate.release.countDown();
    for (CompletableFuture<Http.Response> f : inFlight) {
      Http.Response r = f.get(10, TimeUnit.SECONDS);
      assertEquals(200, r.status(), r.body());
    }
    assertTrue(stopping.get(10, TimeUnit.SECONDS), "every request answered within the drain timeout");
    assertEquals(JbertServer.State.STOPPED, server.state());
  }
}
