package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbert serve} as a process: it says where it listens and when it is ready, answers, and on
 * SIGTERM refuses new connections, answers the request in flight, and exits. Bad options stop it with
 * a message.
 */
class ServeCommandTest {

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+);");

  @TempDir Path tmp;

  @Test
  void sigtermFinishesTheRequestInFlightThenExits() throws Exception {
    Path log = tmp.resolve("serve.log");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-cp", System.getProperty("java.class.path"), JbertCli.class.getName(), "serve",
        "--model", "embed=" + CliRun.model("all-MiniLM-L6-v2"), "--port", "0"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OMP_NUM_THREADS", "2");
    Process child = pb.start();
    try {
      String url = awaitLine(log, child, "jbert serve: ready");
      HttpClient client = HttpClient.newHttpClient();
      // 16 inputs of 500 tokens: about a second of work for all-MiniLM-L6-v2 on two quiet cores
      StringBuilder body = new StringBuilder("{\"inputs\": [");
      for (int i = 0; i < 16; i++) {
        body.append(i > 0 ? "," : "").append('"').append(("card " + i + " ").repeat(250)).append('"');
      }
      HttpRequest slow = HttpRequest.newBuilder(URI.create(url + "/embed"))
          .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString())).build();
      long sent = System.nanoTime();
      CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(slow, HttpResponse.BodyHandlers.ofString());
      HttpRequest metrics = HttpRequest.newBuilder(URI.create(url + "/metrics")).build();
      while (!client.send(metrics, HttpResponse.BodyHandlers.ofString()).body().contains("jbert_requests_in_flight 1.0")) {
        assertTrue(System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(30), "the request was never admitted");
        Thread.sleep(10);
      }
      child.destroy(); // SIGTERM
      long term = System.nanoTime();
      Thread.sleep(200);
      int port = URI.create(url).getPort();
      boolean refused = false;
      try (Socket s = new Socket("127.0.0.1", port)) {
        refused = false;
      } catch (ConnectException e) {
        refused = true;
      }
      HttpResponse<String> answer;
      try {
        answer = inFlight.get(120, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new AssertionError("the request in flight failed; jbert serve wrote: " + Files.readString(log), e);
      }
      assertEquals(200, answer.statusCode(), answer.body());
      JsonNode embeddings = new ObjectMapper().readTree(answer.body());
      assertEquals(16, embeddings.size());
      long totalMs = Long.parseLong(answer.headers().firstValue("x-total-time").orElseThrow());
      assertTrue(totalMs > (term - sent) / 1_000_000, "the request was still in flight at SIGTERM (" + totalMs
          + " ms in total, SIGTERM after " + (term - sent) / 1_000_000 + " ms)");
      assertTrue(refused, "no new connections while draining");
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the process exits after draining");
      String out = Files.readString(log);
      assertTrue(out.contains("jbert serve: stopping") && out.contains("jbert serve: stopped"), out);
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void badOptionsStopWithAMessage() {
    CliRun missing = CliRun.run("serve", "--model", "x=" + tmp.resolve("nothing"), "--port", "0");
    assertEquals(2, missing.exitCode(), "a model folder that cannot be used is bad input, as in the other commands");
    assertTrue(missing.err().contains("model 'x'") && missing.err().contains("is not a model folder"), missing.err());
    CliRun pooling = CliRun.run("serve", "--model", CliRun.model("all-MiniLM-L6-v2").toString(), "--pooling", "sum");
    assertEquals(2, pooling.exitCode());
    assertTrue(pooling.err().contains("--pooling"), pooling.err());
    CliRun name = CliRun.run("serve", "--model", "bad name=" + CliRun.model("all-MiniLM-L6-v2"));
    assertEquals(2, name.exitCode());
    assertTrue(name.err().contains("model name 'bad name'"), name.err());
  }

  /** Waits for {@code line} in the child's output and returns the address it listens on. */
  private static String awaitLine(Path log, Process child, String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      String out = Files.exists(log) ? Files.readString(log) : "";
      Matcher m = LISTENING.matcher(out);
      if (out.contains(line) && m.find()) {
        return m.group(1);
      }
      if (!child.isAlive()) {
        throw new AssertionError("jbert serve ended (exit " + child.exitValue() + "): " + out);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("jbert serve was not ready within two minutes; it printed: "
        + (Files.exists(log) ? Files.readString(log) : "nothing"));
  }
}
