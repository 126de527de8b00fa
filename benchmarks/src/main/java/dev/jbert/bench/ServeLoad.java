package dev.jbert.bench;

import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ExampleReader;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuning;
import dev.jbert.finetune.train.TrainingListener;
import dev.jbert.serve.JbertServer;
import dev.jbert.serve.ServeOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load on {@code jbert serve} over loopback beside the in-process {@link Predictor}, on Banking77 test
 * messages, in one run: the service runs in a child JVM (as {@code jbert serve} would, with the same
 * 2 threads), clients in this one keep 1, 8, 32 and 128 connections busy, one message per request on
 * {@code /v1/classify} (the same answer as {@code Predictor.classify}), and report requests/s,
 * messages/s, p50/p95/p99 latency and errors. Then, after one round for the service's heap to settle,
 * three more rounds at 32 connections with the service's resident memory after each, an overload round with more connections than the service
 * admits (every answer must be a fast 200, 429 or 503 and the service healthy after it), and
 * optionally the service's memory with 1, 2, 4 replicas.
 *
 * <p>The in-process figures: batch throughput as a client batching 32 messages in file order gets it
 * ({@code classifyAll} of each 32), as {@code classifyAll} of all messages at once gets it (sorted by
 * length over the whole file: the least padding possible), and the single-call latency of
 * {@code classify(text)}.
 *
 * <p>Bounded: each level stops after {@code --requests} requests or {@code --seconds} seconds. Run from
 * the project root:
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests -Pbench -Dbench.class=dev.jbert.bench.ServeLoad
 * mvn -q -pl benchmarks -am package -DskipTests -Pbench -Dbench.class=dev.jbert.bench.ServeLoad -Dbench.args="--model runs/banking77 --replica-memory 1,2,4"
 * </pre>
 *
 * Without {@code --model} it fine-tunes all-MiniLM-L6-v2 on Banking77 for {@code --train-steps} steps
 * (only the speed matters here) into {@code benchmarks/target/serve-load-model} and reuses it.
 */
@Command(name = "serve-load", mixinStandardHelpOptions = true,
    description = "jbert serve under load beside the in-process Predictor, on Banking77 test messages.")
public final class ServeLoad implements Callable<Integer> {

  @Option(names = "--model", description = "A fine-tuned classifier folder (default: a short Banking77 fine-tune).")
  Path model;

  @Option(names = "--base-model", defaultValue = "../shared/models/all-MiniLM-L6-v2",
      description = "What the default model is fine-tuned from.")
  Path baseModel;

  @Option(names = "--train", defaultValue = "../shared/data/banking77/train.csv", description = "Fine-tuning data.")
  Path train;

  @Option(names = "--train-steps", defaultValue = "10", description = "Steps of the default fine-tune.")
  int trainSteps;

  @Option(names = "--data", defaultValue = "../shared/data/banking77/test.csv", description = "Messages (text column).")
  Path data;

  @Option(names = "--baseline-messages", defaultValue = "1024",
      description = "Messages of the in-process runs (the first N of the file; bounded in time).")
  int baselineMessages;

  @Option(names = "--connections", split = ",", defaultValue = "1,8,32,128", description = "Client connections per level.")
  List<Integer> connections;

  @Option(names = "--requests", defaultValue = "1500", description = "Requests per level at most.")
  int requests;

  @Option(names = "--seconds", defaultValue = "20", description = "Seconds per level at most.")
  double seconds;

  @Option(names = "--rss-rounds", defaultValue = "3", description = "Rounds at 32 connections with the service's RSS.")
  int rssRounds;

  @Option(names = "--overload-connections", defaultValue = "384",
      description = "Connections of the overload round (the service admits 128).")
  int overloadConnections;

  @Option(names = "--service-heap", defaultValue = "1g", description = "-Xmx of the service's JVM.")
  String serviceHeap;

  @Option(names = "--workers", defaultValue = "1", description = "Replicas of the service under load.")
  int workers;

  @Option(names = "--route", defaultValue = "classify", description = "classify (/v1/classify) or predict (TEI's /predict).")
  String route;

  @Option(names = "--replica-memory", split = ",", description = "Also measure the service's RSS with these worker counts.")
  List<Integer> replicaMemory = new ArrayList<>();

  @Option(names = "--client", defaultValue = "apache",
      description = "HTTP client of the load: apache (HttpClient 5, classic blocking I/O) or jdk (java.net.http).")
  String clientName;

  private Client client;

  @Option(names = "--serve-child", hidden = true, description = "Run the service (used by this benchmark).")
  boolean serveChild;

  /** Admitted requests of the service under test: the largest level fits, the overload round does not. */
  private static final int ADMITTED = 128;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServeLoad()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (serveChild) {
      return serve();
    }
    System.out.println(ModelThroughput.Machine.describe());
    System.out.println("cpu: " + cpuModel());
    int most = Math.max(overloadConnections, connections.stream().mapToInt(Integer::intValue).max().orElse(1));
    client = switch (clientName) {
      case "apache" -> new ApacheClient(Math.max(32, most));
      case "jdk" -> new JdkClient();
      default -> throw new CommandLine.ParameterException(new CommandLine(this),
          "--client must be apache or jdk, got " + clientName);
    };
    List<String> messages = ExampleReader.read(data, ReadOptions.defaults().withLabelColumn("category")).stream()
        .map(Example::text).toList();
    Path dir = model != null ? model : defaultModel();
    System.out.printf(Locale.ROOT, "model: %s; %d messages from %s (the in-process runs use the first %d); route"
        + " /%s; client %s%n", dir, messages.size(), data, Math.min(baselineMessages, messages.size()),
        route.equals("predict") ? "predict" : "v1/classify", clientName);
    List<String> baseline = messages.subList(0, Math.min(baselineMessages, messages.size()));
    InProcess before = inProcess(dir, baseline);
    before.print("before the service runs");

    Map<Integer, Level> levels = new TreeMap<>();
    List<Level> rounds = new ArrayList<>();
    List<Long> rss = new ArrayList<>();
    Overload overload;
    long readyRss;
    Child service = Child.start(dir, workers, serviceHeap);
    try {
      readyRss = service.rssMb();
      for (int c : connections) {
        levels.put(c, load(service.url, messages, c, requests, seconds));
      }
      load(service.url, messages, 32, requests, seconds); // one round for the heap to settle, not counted
      for (int r = 0; r < rssRounds; r++) {
        rounds.add(load(service.url, messages, 32, requests, seconds));
        rss.add(service.rssMb());
      }
      overload = overload(service.url, messages, overloadConnections);
    } finally {
      service.stop();
    }
    InProcess after = inProcess(dir, baseline);
    after.print("after the service stopped");
    InProcess local = InProcess.mean(before, after);

    System.out.printf(Locale.ROOT, "service: %d worker(s), RSS %d MB once warm; compared with the mean of the two"
        + " in-process runs (batch of 32: %.1f msg/s, classify(text) p50 %.2f ms)%n", workers, readyRss, local.batch32,
        local.singleP50);
    System.out.println("| connections | requests | req/s | msg/s | p50 ms | p95 ms | p99 ms | service p50 ms: total /"
        + " inference | errors | vs in-process |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (Map.Entry<Integer, Level> e : levels.entrySet()) {
      int c = e.getKey();
      Level l = e.getValue();
      String vs = c == 1 ? String.format(Locale.ROOT, "p50 %+.2f ms vs classify(text)", l.p50 - local.singleP50)
          : String.format(Locale.ROOT, "%.0f%% of batch-of-32 msg/s", 100 * l.messagesPerSecond / local.batch32);
      System.out.println(l.row(c, vs));
    }
    System.out.println("rounds at 32 connections, service RSS after each:");
    for (int r = 0; r < rounds.size(); r++) {
      Level l = rounds.get(r);
      System.out.printf(Locale.ROOT, "  round %d: %.1f msg/s, p99 %.1f ms, errors %d, RSS %d MB%n", r + 1,
          l.messagesPerSecond, l.p99, l.errors, rss.get(r));
    }
    System.out.printf(Locale.ROOT, "overload, %d connections for %.0f s (the service admits %d): %s; rejections:"
        + " service time p50 %.2f ms, p99 %.2f ms, seen by the client p50 %.2f ms, p99 %.2f ms; other failures %d;"
        + " /health after: %d%n", overloadConnections, overload.seconds, ADMITTED, overload.statuses,
        overload.serverP50, overload.serverP99, overload.clientP50, overload.clientP99, overload.failures,
        overload.healthAfter);

    System.out.println("targets:");
    Level l32 = levels.get(32);
    Level l1 = levels.get(1);
    if (l32 != null) {
      report("32 connections >= 85% of the in-process batch throughput", l32.messagesPerSecond >= 0.85 * local.batch32,
          String.format(Locale.ROOT, "%.1f vs %.1f msg/s (batch of 32) = %.0f%%; vs all at once %.1f msg/s: %.0f%%",
              l32.messagesPerSecond, local.batch32, 100 * l32.messagesPerSecond / local.batch32, local.batchAll,
              100 * l32.messagesPerSecond / local.batchAll));
    }
    if (l1 != null) {
      report("1 connection p50 within 2 ms of classify(text)", l1.p50 - local.singleP50 <= 2,
          String.format(Locale.ROOT, "%.2f vs %.2f ms", l1.p50, local.singleP50));
    }
    long errors = levels.values().stream().mapToLong(x -> x.errors).sum() + rounds.stream().mapToLong(x -> x.errors).sum();
    report("zero errors", errors == 0, errors + " errors");
    long spread = rss.isEmpty() ? 0 : rss.stream().mapToLong(Long::longValue).max().getAsLong()
        - rss.stream().mapToLong(Long::longValue).min().getAsLong();
    report("RSS flat over the rounds (within 32 MB)", spread <= 32, "RSS " + rss + " MB, spread " + spread + " MB");
    report("overload: only fast 429/503 (service time p99 < 10 ms) besides 200s, healthy after",
        overload.failures == 0 && overload.healthAfter == 200 && overload.serverP99 < 10,
        overload.statuses + String.format(Locale.ROOT, ", service time p99 %.2f ms", overload.serverP99));
    if (!replicaMemory.isEmpty()) {
      replicaMemory(dir, messages);
    }
    return 0;
  }

  /** The service's resident memory with each worker count, warm and after some load. */
  private void replicaMemory(Path dir, List<String> messages) throws Exception {
    for (int w : replicaMemory) {
      Child c = Child.start(dir, w, serviceHeap);
      try {
        long ready = c.rssMb();
        Level l = load(c.url, messages, 8 * w, Math.min(requests, 400), seconds);
        System.out.printf(Locale.ROOT, "replica memory: %d worker(s): RSS %d MB ready, %d MB after %d requests at %d"
            + " connections (%.1f msg/s)%n", w, ready, c.rssMb(), l.requests, 8 * w, l.messagesPerSecond);
      } finally {
        c.stop();
      }
    }
  }

  private static void report(String target, boolean met, String detail) {
    System.out.println("  [" + (met ? "met" : "MISSED") + "] " + target + ": " + detail);
  }

  // ---------------------------------------------------------------- the model and the in-process baseline

  private Path defaultModel() throws IOException {
    Path dir = Path.of("benchmarks", "target", "serve-load-model");
    if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
      return dir;
    }
    System.out.println("fine-tuning " + baseModel + " on " + train + " for " + trainSteps + " steps into " + dir);
    List<Example> examples = ExampleReader.read(train, ReadOptions.defaults().withLabelColumn("category"));
    FineTuneConfig config = FineTuneConfig.builder(Task.INTENT).maxSteps(trainSteps).maxLength(64).lr(1e-4)
        .validationSplit(0).build();
    FineTuning.run(baseModel, examples, List.of(), dir, config, TrainingListener.NONE);
    return dir;
  }

  private record InProcess(double batch32, double batchAll, double singleP50, double singleP95) {
    static InProcess mean(InProcess a, InProcess b) {
      return new InProcess((a.batch32 + b.batch32) / 2, (a.batchAll + b.batchAll) / 2, (a.singleP50 + b.singleP50) / 2,
          (a.singleP95 + b.singleP95) / 2);
    }

    void print(String when) {
      System.out.printf(Locale.ROOT, "in-process Predictor, %s: batch of 32 in file order %.1f msg/s; all at once"
          + " (sorted by length) %.1f msg/s; classify(text) p50 %.2f ms, p95 %.2f ms%n", when, batch32, batchAll,
          singleP50, singleP95);
    }
  }

  private static InProcess inProcess(Path dir, List<String> messages) throws IOException {
    try (FineTunedModel m = FineTunedModel.load(dir)) {
      Predictor p = Predictor.of(m);
      p.classifyAll(messages.subList(0, Math.min(256, messages.size()))); // warm-up
      long t0 = System.nanoTime();
      for (int i = 0; i < messages.size(); i += 32) {
        p.classifyAll(messages.subList(i, Math.min(messages.size(), i + 32)));
      }
      double batch32 = messages.size() / ((System.nanoTime() - t0) / 1e9);
      t0 = System.nanoTime();
      p.classifyAll(messages);
      double batchAll = messages.size() / ((System.nanoTime() - t0) / 1e9);
      int n = Math.min(400, messages.size());
      for (int i = 0; i < 50; i++) {
        p.classify(messages.get(i));
      }
      long[] single = new long[n];
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        p.classify(messages.get(i));
        single[i] = System.nanoTime() - s;
      }
      Arrays.sort(single);
      return new InProcess(batch32, batchAll, percentile(single, 50), percentile(single, 95));
    }
  }

  // ---------------------------------------------------------------- load

  /** What the load needs of an HTTP client: one POST or GET, on the calling thread, and three of its answer's fields. */
  private interface Client {
    Answer post(String url, String json) throws IOException, InterruptedException;

    int get(String url) throws IOException, InterruptedException;
  }

  /** Status and the service's total and inference time (milliseconds, -1 when absent). */
  private record Answer(int status, long totalMillis, long inferenceMillis) {}

  /**
   * The JDK's {@code java.net.http.HttpClient}: its replies come through its own selector thread, a
   * hand-off that costs a thread wake-up per request.
   */
  private static final class JdkClient implements Client {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public Answer post(String url, String json) throws IOException, InterruptedException {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.headers().firstValue("x-total-time").map(Long::parseLong).orElse(-1L),
          r.headers().firstValue("x-inference-time").map(Long::parseLong).orElse(-1L));
    }

    @Override
    public int get(String url) throws IOException, InterruptedException {
      return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    }
  }

  /** Apache HttpClient 5, classic: blocking I/O on the calling thread, pooled keep-alive connections. */
  private static final class ApacheClient implements Client {
    private final CloseableHttpClient http;

    ApacheClient(int connections) {
      PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
          .setMaxConnTotal(connections).setMaxConnPerRoute(connections)
          .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
          .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(10))
              .setSocketTimeout(Timeout.ofSeconds(60)).build())
          .build();
      http = HttpClients.custom().setConnectionManager(pool).disableAutomaticRetries().build();
    }

    @Override
    public Answer post(String url, String json) throws IOException {
      HttpPost post = new HttpPost(url);
      post.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));
      return http.execute(post, r -> {
        EntityUtils.consume(r.getEntity());
        return new Answer(r.getCode(), millis(r.getFirstHeader("x-total-time")),
            millis(r.getFirstHeader("x-inference-time")));
      });
    }

    @Override
    public int get(String url) throws IOException {
      return http.execute(new HttpGet(url), r -> {
        EntityUtils.consume(r.getEntity());
        return r.getCode();
      });
    }

    private static long millis(Header h) {
      return h == null ? -1 : Long.parseLong(h.getValue());
    }
  }

  private record Level(long requests, double seconds, double messagesPerSecond, double p50, double p95, double p99,
      long errors, double serverP50, double inferenceP50) {
    String row(int connections, String vs) {
      return String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.2f | %.2f | %.2f | %.0f / %.0f | %d | %s |",
          connections, requests, requests / seconds, messagesPerSecond, p50, p95, p99, serverP50, inferenceP50, errors, vs);
    }
  }

  /** One message to the route under test. */
  private Answer send(String url, String message) throws IOException, InterruptedException {
    String json = route.equals("predict") ? "{\"inputs\": " + quote(message) + "}" : "{\"text\": " + quote(message) + "}";
    return client.post(url + (route.equals("predict") ? "/predict" : "/v1/classify"), json);
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** {@code connections} clients, each one request at a time, after one second of warm-up at the same load. */
  private Level load(String url, List<String> messages, int connections, int maxRequests, double maxSeconds)
      throws InterruptedException {
    run(url, messages, connections, Integer.MAX_VALUE, 1.0, null, null); // warm-up, not counted
    long[] latencies = new long[maxRequests];
    long[] server = new long[maxRequests];
    long[] inference = new long[maxRequests];
    AtomicInteger count = new AtomicInteger();
    AtomicLong errors = new AtomicLong();
    long t0 = System.nanoTime();
    run(url, messages, connections, maxRequests, maxSeconds, latencies, server, inference, count, errors);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    int n = Math.min(count.get(), maxRequests);
    long[] done = Arrays.copyOf(latencies, n);
    Arrays.sort(done);
    long[] s = Arrays.copyOf(server, n);
    Arrays.sort(s);
    long[] inf = Arrays.copyOf(inference, n);
    Arrays.sort(inf);
    return new Level(n, elapsed, n / elapsed, percentile(done, 50), percentile(done, 95), percentile(done, 99),
        errors.get(), percentile(s, 50), percentile(inf, 50));
  }

  private void run(String url, List<String> messages, int connections, int maxRequests, double maxSeconds,
      long[] latencies, AtomicInteger count) throws InterruptedException {
    run(url, messages, connections, maxRequests, maxSeconds, latencies, null, null,
        count == null ? new AtomicInteger() : count, new AtomicLong());
  }

  /**
   * Closed-loop clients: each sends its next request when the last one is answered, until {@code maxRequests}
   * in all or the time is up. Per request: the latency the client saw, and the service's own total and
   * inference time from its headers (milliseconds, as nanoseconds).
   */
  private void run(String url, List<String> messages, int connections, int maxRequests, double maxSeconds,
      long[] latencies, long[] serverTotal, long[] serverInference, AtomicInteger count, AtomicLong errors)
      throws InterruptedException {
    long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(connections);
    for (int c = 0; c < connections; c++) {
      Thread t = new Thread(() -> {
        try {
          while (System.nanoTime() < deadline) {
            int i = count.getAndIncrement();
            if (i >= maxRequests) {
              return;
            }
            String message = messages.get(next.getAndIncrement() % messages.size());
            long s = System.nanoTime();
            try {
              Answer r = send(url, message);
              if (r.status() != 200) {
                errors.incrementAndGet();
              }
              if (serverTotal != null) {
                serverTotal[i] = r.totalMillis() * 1_000_000;
                serverInference[i] = r.inferenceMillis() * 1_000_000;
              }
            } catch (IOException e) {
              errors.incrementAndGet();
            }
            if (latencies != null) {
              latencies[i] = System.nanoTime() - s;
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      }, "load-" + c);
      t.setDaemon(true);
      t.start();
    }
    done.await();
    if (count.get() > maxRequests) {
      count.set(maxRequests);
    }
  }

  private record Overload(double seconds, Map<String, Integer> statuses, double serverP50, double serverP99,
      double clientP50, double clientP99, long failures, int healthAfter) {}

  /** More connections than the service admits, for a few seconds: count what comes back. */
  private Overload overload(String url, List<String> messages, int connections) throws Exception {
    double secondsLong = Math.min(seconds, 8);
    Map<String, Integer> statuses = new ConcurrentHashMap<>();
    List<Long> rejections = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Long> serverTimes = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicLong failures = new AtomicLong();
    long deadline = System.nanoTime() + (long) (secondsLong * 1e9);
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(connections);
    for (int c = 0; c < connections; c++) {
      Thread t = new Thread(() -> {
        try {
          while (System.nanoTime() < deadline) {
            long s = System.nanoTime();
            try {
              Answer r = send(url, messages.get(next.getAndIncrement() % messages.size()));
              statuses.merge(Integer.toString(r.status()), 1, Integer::sum);
              if (r.status() == 429 || r.status() == 503) {
                rejections.add(System.nanoTime() - s);
                serverTimes.add(r.totalMillis() * 1_000_000);
                Thread.sleep(10); // a client honouring Retry-After would wait longer; keep the pressure on
              } else if (r.status() != 200) {
                failures.incrementAndGet();
              }
            } catch (IOException e) {
              failures.incrementAndGet();
              statuses.merge(e.getClass().getSimpleName(), 1, Integer::sum);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      }, "overload-" + c);
      t.setDaemon(true);
      t.start();
    }
    done.await();
    long[] r = rejections.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] server = serverTimes.stream().mapToLong(Long::longValue).sorted().toArray();
    int health = client.get(url + "/health");
    return new Overload(secondsLong, new TreeMap<>(statuses), percentile(server, 50), percentile(server, 99),
        percentile(r, 50), percentile(r, 99), failures.get(), health);
  }

  private static double percentile(long[] sortedNanos, double p) {
    if (sortedNanos.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100 * sortedNanos.length) - 1;
    return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
  }

  // ---------------------------------------------------------------- the service in a child JVM

  /** The service process: started with this JVM's options and class path, stopped with SIGTERM. */
  private static final class Child {
    final Process process;
    final String url;

    private Child(Process process, String url) {
      this.process = process;
      this.url = url;
    }

    static Child start(Path dir, int workers, String heap) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      command.add("-Xmx" + heap); // after this JVM's options: the last -Xmx counts
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServeLoad.class.getName(), "--serve-child",
          "--model", dir.toString(), "--workers", Integer.toString(workers)));
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String url = null;
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("URL ")) {
          url = line.substring(4);
        } else if (line.equals("READY")) {
          return new Child(p, url);
        }
      }
      throw new IOException("the service process ended before it was ready (exit " + p.exitValue() + ")");
    }

    long rssMb() throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
      return -1;
    }

    void stop() throws InterruptedException {
      process.destroy();
      process.waitFor();
    }
  }

  /** The child: the service until SIGTERM. */
  private int serve() throws Exception {
    JbertServer server = JbertServer.start(ServeOptions.builder().model("banking77", model).port(0).workers(workers)
        .maxConcurrentRequests(ADMITTED).build());
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
    System.out.println("URL " + server.url());
    server.awaitReady(Duration.ofMinutes(5));
    System.out.println("READY");
    System.out.flush();
    server.awaitStopped();
    return 0;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
