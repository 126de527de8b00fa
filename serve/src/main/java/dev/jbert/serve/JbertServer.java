package dev.jbert.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.io.CheckpointException;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference service behind {@code jbert serve}: text-embeddings-inference's routes ({@code
 * /rerank} for models trained on pairs), OpenAI's {@code /v1/embeddings}, and jbert's {@code
 * /v1/classify}, for several models in one process, on Javalin (Jetty).
 *
 * <pre>{@code
 * JbertServer server = JbertServer.start(ServeOptions.builder()
 *     .model("intent", Path.of("runs/banking77")).model("embed", Path.of("../shared/models/all-MiniLM-L6-v2"))
 *     .build());
 * server.awaitReady(Duration.ofMinutes(2));       // models loaded and warm: GET /health answers 200
 * ...
 * server.shutdown();                              // stop accepting, finish what is in flight, stop
 * }</pre>
 *
 * <p>Life: the HTTP port opens first and answers {@code /health} with 503 while the models load and
 * warm up (every replica runs a few batches), then 200. {@link #shutdown()} (what {@code SIGTERM}
 * triggers in {@code jbert serve}) closes the listening socket, answers 503 to new requests on open
 * connections, waits up to {@code drainTimeout} for the requests in flight to be answered, then stops.
 *
 * <p>Admission: at most {@code maxConcurrentRequests} inference requests are admitted (queued or
 * running) over all models; the next one is answered 429 with {@code Retry-After: 1} at once, as soon
 * as its body is read. Not ready or shutting down: 503 with {@code Retry-After}. Every response carries
 * TEI's timing headers ({@code x-total-time}, {@code x-tokenization-time}, {@code x-queue-time},
 * {@code x-inference-time}, in milliseconds). With an API key, every route but {@code /health} needs
 * {@code Authorization: Bearer KEY} (compared in constant time).
 */
public final class JbertServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JbertServer.class);

  /** How much longer than the request timeout a connection may sit idle. */
  private static final long IDLE_MARGIN_MILLIS = 30_000;

  /** Where the service is in its life. */
  public enum State {
    /** Listening; models loading or warming up: inference answers 503. */
    LOADING,
    /** Every model warm: answering. */
    READY,
    /** A model failed to load: inference answers 503; stop the server. */
    FAILED,
    /** Shutting down: not accepting, finishing what is in flight. */
    DRAINING,
    /** Stopped. */
    STOPPED
  }

  private final ServeOptions options;
  private final BatchHook hook;
  private final Metrics metrics = new Metrics();
  private final Map<String, ServedModel<?>> models = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Semaphore admission;
  private final AtomicInteger inFlight = new AtomicInteger();  // admitted inference requests
  private final AtomicInteger handling = new AtomicInteger();  // every request from its first handler to its last byte
  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor responders;
  private final CountDownLatch settled = new CountDownLatch(1); // loading ended (ready or failed)
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final byte[] apiKeyDigest;
  private final String version = readVersion();
  private final Api api;
  private volatile State state = State.LOADING;
  private volatile Throwable loadFailure;
  private Javalin app;
  private int port; // kept: the connector forgets it once it stops accepting

  private JbertServer(ServeOptions options, BatchHook hook) {
    this.options = options;
    this.hook = hook;
    this.admission = new Semaphore(options.maxConcurrentRequests());
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "jbert-request-timeouts");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true); // answered requests do not leave their timeouts behind
    AtomicInteger responderIds = new AtomicInteger();
    // Two threads answer finished jobs; up to 64 when clients read slowly; past that the batcher answers itself.
    this.responders = new ThreadPoolExecutor(2, 64, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "jbert-respond-" + responderIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
    this.apiKeyDigest = options.apiKey() == null ? null : sha256(options.apiKey());
    this.api = new Api(models, options, metrics, timer, responders, version);
  }

  /**
   * Opens the port and starts loading the models in the background; {@link #awaitReady} waits for them.
   *
   * @throws IOException when a model folder or its {@code config.json} is missing, or the port cannot be bound
   */
  public static JbertServer start(ServeOptions options) throws IOException {
    return start(options, BatchHook.NONE);
  }

  static JbertServer start(ServeOptions options, BatchHook hook) throws IOException {
    for (ModelSpec m : options.models()) {
      if (!Files.isRegularFile(m.dir().resolve("config.json"))) {
        throw new CheckpointException(m.dir(), "is not a model folder (no config.json); given as model '" + m.name() + "'");
      }
    }
    JbertServer server = new JbertServer(options, hook);
    server.listen();
    Thread loader = new Thread(server::load, "jbert-model-loader");
    loader.setDaemon(true);
    loader.start();
    return server;
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  /** The address clients use, e.g. {@code http://127.0.0.1:8080}. */
  public String url() {
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    return "http://" + host + ":" + port();
  }

  /** Where the service is now: loading, ready, failed, draining or stopped. */
  public State state() {
    return state;
  }

  /**
   * Waits until every model is loaded and warm.
   *
   * @throws IOException when a model failed to load (the message says which and why)
   * @throws TimeoutException when loading takes longer than {@code timeout}
   */
  public void awaitReady(Duration timeout) throws IOException, InterruptedException, TimeoutException {
    if (!settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new TimeoutException("the models were not ready within " + timeout);
    }
    if (loadFailure != null) {
      throw loadFailure instanceof IOException io ? io : new IOException(loadFailure.getMessage(), loadFailure);
    }
  }

  /** One line per loaded model: name, kind, replicas, load time. */
  public List<String> describeModels() {
    List<String> lines = new ArrayList<>();
    synchronized (models) {
      for (ServedModel<?> m : models.values()) {
        lines.add(String.format("%s: %s model from %s, max %d tokens, %d worker%s, loaded and warmed up in %.1f s",
            m.name(), m.kind().id(), m.dir(), m.maxLength(), m.replicas().size(), m.replicas().size() == 1 ? "" : "s",
            m.loadSeconds()));
      }
    }
    return lines;
  }

  // ---------------------------------------------------------------- loading

  private void load() {
    try {
      for (ModelSpec spec : options.models()) {
        long t0 = System.nanoTime();
        ServedModel<?> model = ServedModel.isClassifierFolder(spec.dir())
            ? ClassifierModel.load(spec, options.workers())
            : EmbeddingModel.load(spec, options.workers(), options.pooling());
        if (options.maxBatchTokens() < model.maxLength()) {
          model.close();
          throw new IllegalArgumentException("--max-batch-tokens " + options.maxBatchTokens() + " is below model '"
              + spec.name() + "''s input length of " + model.maxLength() + " tokens; one input would not fit a batch");
        }
        model.warmUp();
        model.startBatcher(options, metrics, hook, (System.nanoTime() - t0) / 1e9);
        models.put(spec.name(), model);
        if (state != State.LOADING) {
          return; // shut down while loading
        }
      }
      synchronized (this) {
        if (state == State.LOADING) {
          state = State.READY;
          metrics.ready(true);
        }
      }
    } catch (Throwable t) {
      loadFailure = new IOException("cannot serve the models: " + t.getMessage(), t);
      synchronized (this) {
        if (state == State.LOADING) {
          state = State.FAILED;
        }
      }
      LOG.error("loading the models failed", t);
    } finally {
      settled.countDown();
    }
  }

  // ---------------------------------------------------------------- HTTP

  private void listen() throws IOException {
    app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.http.prefer405over404 = true;
      cfg.http.maxRequestSize = options.payloadLimit();
      cfg.http.compressionStrategy = CompressionStrategy.NONE; // CPU goes to the model, not to gzip
      cfg.http.asyncTimeout = options.requestTimeout().toMillis() + 10_000; // a safety net behind our own timeout
      cfg.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
      if (!options.corsAllowOrigins().isEmpty()) {
        cfg.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
          for (String origin : options.corsAllowOrigins()) {
            if (origin.equals("*")) {
              rule.anyHost();
            } else {
              rule.allowHost(origin);
            }
          }
          for (String timing : List.of("x-total-time", "x-tokenization-time", "x-queue-time", "x-inference-time")) {
            rule.exposeHeader(timing);
          }
        }));
      }
      cfg.routes.before(ctx -> {
        // counted until Jetty has written the whole response, so that a drain never cuts one short
        handling.incrementAndGet();
        Request.addCompletionListener(ServletContextRequest.getServletContextRequest(ctx.req()),
            failure -> handling.decrementAndGet());
      });
      cfg.routes.exception(HttpResponseException.class, (e, ctx) -> {
        Call call = new Call("unmatched");
        int status = e.getStatus();
        ApiError.Type type = status == 404 ? ApiError.Type.NOT_FOUND
            : status == 405 ? ApiError.Type.METHOD_NOT_ALLOWED : ApiError.Type.BAD_REQUEST;
        String message = status == 404 ? "no route " + ctx.method() + " " + ctx.path()
            + "; the routes are /predict, /rerank, /embed, /tokenize, /info, /health, /metrics, /v1/embeddings,"
            + " /v1/classify, /v1/models and /v1/models/NAME/..."
            : status == 405 ? ctx.method() + " is not allowed on " + ctx.path() : e.getMessage();
        send(ctx, call, Reply.error(new ApiError(status, type, message)));
      });
      cfg.routes.exception(Exception.class, (e, ctx) -> send(ctx, new Call("unmatched"), internal(e)));

      cfg.routes.get("/health", ctx -> simple(ctx, "/health", false, (body, call) -> health()));
      cfg.routes.get("/info", ctx -> simple(ctx, "/info", true, (body, call) -> api.info(null, call)));
      cfg.routes.get("/metrics", ctx -> simple(ctx, "/metrics", true, (body, call) -> metricsReply()));
      cfg.routes.get("/v1/models", ctx -> simple(ctx, "/v1/models", true, (body, call) -> api.listModels()));
      cfg.routes.get("/v1/models/{name}", ctx -> simple(ctx, "/v1/models/NAME", true,
          (body, call) -> Reply.json(api.describe(api.model(ctx.pathParam("name"), null, "/v1/models/NAME",
              java.util.EnumSet.allOf(ServedModel.Kind.class))))));
      cfg.routes.get("/v1/models/{name}/info", ctx -> simple(ctx, "/v1/models/NAME/info", true,
          (body, call) -> api.info(ctx.pathParam("name"), call)));
      cfg.routes.post("/tokenize", ctx -> simpleWithBody(ctx, "/tokenize", (body, call) -> api.tokenize(body, null, call)));
      cfg.routes.post("/v1/models/{name}/tokenize", ctx -> simpleWithBody(ctx, "/v1/models/NAME/tokenize",
          (body, call) -> api.tokenize(body, ctx.pathParam("name"), call)));

      cfg.routes.post("/predict", ctx -> inference(ctx, "/predict", (body, call) -> api.predict(body, null, call)));
      cfg.routes.post("/rerank", ctx -> inference(ctx, "/rerank", (body, call) -> api.rerank(body, null, call)));
      cfg.routes.post("/v1/classify", ctx -> inference(ctx, "/v1/classify", (body, call) -> api.classify(body, null, call)));
      cfg.routes.post("/embed", ctx -> inference(ctx, "/embed", (body, call) -> api.embed(body, null, call)));
      cfg.routes.post("/v1/embeddings", ctx -> inference(ctx, "/v1/embeddings",
          (body, call) -> api.openAiEmbeddings(body, null, call)));
      cfg.routes.post("/embeddings", ctx -> inference(ctx, "/embeddings",
          (body, call) -> api.openAiEmbeddings(body, null, call)));
      cfg.routes.post("/v1/models/{name}/predict", ctx -> inference(ctx, "/v1/models/NAME/predict",
          (body, call) -> api.predict(body, ctx.pathParam("name"), call)));
      cfg.routes.post("/v1/models/{name}/rerank", ctx -> inference(ctx, "/v1/models/NAME/rerank",
          (body, call) -> api.rerank(body, ctx.pathParam("name"), call)));
      cfg.routes.post("/v1/models/{name}/classify", ctx -> inference(ctx, "/v1/models/NAME/classify",
          (body, call) -> api.classify(body, ctx.pathParam("name"), call)));
      cfg.routes.post("/v1/models/{name}/embed", ctx -> inference(ctx, "/v1/models/NAME/embed",
          (body, call) -> api.embed(body, ctx.pathParam("name"), call)));
      cfg.routes.post("/v1/models/{name}/embeddings", ctx -> inference(ctx, "/v1/models/NAME/embeddings",
          (body, call) -> api.openAiEmbeddings(body, ctx.pathParam("name"), call)));
    });
    try {
      app.start(options.host(), options.port());
      port = app.port();
      for (Connector c : app.jettyServer().server().getConnectors()) {
        if (c instanceof ServerConnector connector) {
          // Jetty's idle timeout (30 s) would otherwise end a long request before its own timeout answers 504
          connector.setIdleTimeout(options.requestTimeout().toMillis() + IDLE_MARGIN_MILLIS);
        }
      }
    } catch (RuntimeException e) {
      throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  /** A route answered in the request thread. */
  private interface SyncRoute {
    Reply answer(ObjectNode body, Call call);
  }

  /** A route answered when its job ends. */
  private interface AsyncRoute {
    CompletableFuture<Reply> answer(ObjectNode body, Call call);
  }

  private void simple(Context ctx, String route, boolean needsKey, SyncRoute body) {
    Call call = new Call(route);
    Reply reply;
    try {
      if (needsKey) {
        authorize(ctx);
      }
      if (!route.equals("/health") && !route.equals("/metrics") && state != State.READY) {
        throw notReady();
      }
      reply = body.answer(null, call);
    } catch (ApiError e) {
      reply = Reply.error(e);
    } catch (RuntimeException e) {
      reply = internal(e);
    }
    send(ctx, call, reply);
  }

  private void simpleWithBody(Context ctx, String route, SyncRoute body) {
    Call call = new Call(route);
    Reply reply;
    try {
      authorize(ctx);
      if (state != State.READY) {
        throw notReady();
      }
      reply = body.answer(Fields.object(readBody(ctx)), call);
    } catch (ApiError e) {
      reply = Reply.error(e);
    } catch (RuntimeException e) {
      reply = internal(e);
    }
    send(ctx, call, reply);
  }

  private void inference(Context ctx, String route, AsyncRoute body) {
    Call call = new Call(route);
    CompletableFuture<Reply> answer;
    try {
      authorize(ctx);
      // The body is read before admission: answering with the body unread would make Jetty close the
      // connection under the client's next request
      byte[] bytes = readBody(ctx);
      admit(call);
      ObjectNode json = Fields.object(bytes);
      call.probe = ClientProbe.of(ctx.req());
      answer = body.answer(json, call);
    } catch (ApiError e) {
      send(ctx, call, Reply.error(e));
      return;
    } catch (RuntimeException e) {
      send(ctx, call, internal(e));
      return;
    }
    CompletableFuture<Reply> reply = answer.handle((r, error) -> r != null ? r : replyFor(error));
    if (reply.isDone()) { // computed on this thread: answered without the asynchronous hand-off
      send(ctx, call, reply.join());
      return;
    }
    ctx.future(() -> reply.thenAccept(r -> send(ctx, call, r)));
  }

  private Reply replyFor(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof ApiError api) {
      return Reply.error(api);
    }
    if (e instanceof Job.ClientGoneException) {
      return new Reply(499, new byte[0], Reply.JSON_TYPE, 0); // nginx's "client closed request": nobody reads it
    }
    return internal(e);
  }

  private static final java.util.concurrent.atomic.AtomicLong ERROR_IDS = new java.util.concurrent.atomic.AtomicLong();

  /** 500 without details; the details go to the log under an id the client can quote. */
  private static Reply internal(Throwable e) {
    long id = ERROR_IDS.incrementAndGet();
    LOG.error("request failed (error {})", id, e);
    return Reply.error(new ApiError(500, ApiError.Type.BACKEND, "internal error (error " + id + "); see the server log"));
  }

  private ApiError notReady() {
    return switch (state) {
      case LOADING -> new ApiError(503, ApiError.Type.UNHEALTHY, "the models are loading; retry shortly", 5);
      case FAILED -> new ApiError(503, ApiError.Type.UNHEALTHY, "the models failed to load; see the server log", 0);
      default -> new ApiError(503, ApiError.Type.UNHEALTHY, "the service is shutting down", 5);
    };
  }

  /** Readiness, then a place among the admitted requests; 429 when there is none. */
  private void admit(Call call) {
    if (state != State.READY) {
      throw notReady();
    }
    if (!admission.tryAcquire()) {
      throw new ApiError(429, ApiError.Type.OVERLOADED, "the model is overloaded: " + options.maxConcurrentRequests()
          + " requests are queued or running (--max-concurrent-requests); retry shortly", 1);
    }
    call.admitted = true;
    metrics.inFlight(inFlight.incrementAndGet());
  }

  private void release(Call call) {
    if (call.admitted) {
      call.admitted = false;
      metrics.inFlight(inFlight.decrementAndGet());
      admission.release();
    }
  }

  private void authorize(Context ctx) {
    if (apiKeyDigest == null) {
      return;
    }
    String header = ctx.header("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    // Digests of equal length, compared without an early exit: the time says nothing about the key.
    if (token == null || !MessageDigest.isEqual(sha256(token), apiKeyDigest)) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiError(401, ApiError.Type.UNAUTHORIZED, token == null
          ? "this service needs an API key: send Authorization: Bearer KEY" : "the API key is wrong");
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Bytes of an over-limit body read and dropped before the 413 goes out. A client that is still sending
   * when the server answers and closes gets a TCP reset, and the reset can destroy the 413 before the client
   * reads it; draining a bounded amount lets ordinary clients (which do not send {@code Expect:
   * 100-continue}) see the error, the way nginx's lingering close does. Bodies larger still are cut off.
   */
  private static final long OVER_LIMIT_DRAIN_BYTES = 64L << 20;

  /** The body, at most {@code payloadLimit} bytes (413 beyond, before reading when the length is declared). */
  private byte[] readBody(Context ctx) {
    long limit = options.payloadLimit();
    long declared = ctx.req().getContentLengthLong();
    // A client that asked "Expect: 100-continue" has not sent the body, and opening the stream would ask for it.
    boolean waitsForContinue = "100-continue".equalsIgnoreCase(ctx.header("Expect"));
    try {
      if (declared > limit) {
        if (!waitsForContinue) {
          drain(ctx.req().getInputStream());
        }
        throw ApiError.tooLarge("the request body has " + declared + " bytes and the limit is " + limit
            + " (--payload-limit)");
      }
      InputStream in = ctx.req().getInputStream();
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
      if (body.length > limit) {
        drain(in);
        throw ApiError.tooLarge("the request body is over the limit of " + limit + " bytes (--payload-limit)");
      }
      return body;
    } catch (IOException e) {
      throw ApiError.badRequest("the request body could not be read: " + e.getMessage());
    }
  }

  /** Reads and drops up to {@link #OVER_LIMIT_DRAIN_BYTES} of what the client is still sending. */
  private static void drain(InputStream in) throws IOException {
    byte[] sink = new byte[64 << 10];
    long dropped = 0;
    for (int n; dropped < OVER_LIMIT_DRAIN_BYTES && (n = in.read(sink)) >= 0; ) {
      dropped += n;
    }
  }

  private Reply health() {
    if (state == State.READY) {
      return Reply.json(Fields.JSON.createObjectNode().put("status", "ready"));
    }
    return Reply.error(notReady());
  }

  private Reply metricsReply() {
    return new Reply(200, metrics.scrape(), metrics.contentType(), 0);
  }

  /** Writes the reply with the timing headers, records it, and frees the request's admission. */
  private void send(Context ctx, Call call, Reply reply) {
    try {
      double total = call.elapsedSeconds();
      Job<?> job = call.job;
      double queue = job == null ? 0 : job.queueSeconds();
      double inference = job == null ? 0 : job.inferenceSeconds();
      ctx.status(reply.status());
      ctx.header("x-compute-type", "cpu");
      ctx.header("x-total-time", millis(total));
      ctx.header("x-compute-time", millis(total));
      ctx.header("x-tokenization-time", millis(call.tokenizeSeconds));
      ctx.header("x-queue-time", millis(queue));
      ctx.header("x-inference-time", millis(inference));
      if (call.inputs > 0) {
        ctx.header("x-compute-tokens", Long.toString(call.tokens));
        ctx.header("x-compute-inputs", Integer.toString(call.inputs));
      }
      if (reply.retryAfterSeconds() > 0) {
        ctx.header("Retry-After", Integer.toString(reply.retryAfterSeconds()));
      }
      if (job != null && job.closeConnection() || state == State.DRAINING) {
        ctx.header("Connection", "close");
      }
      ctx.contentType(reply.contentType());
      ctx.result(reply.body());
      metrics.request(call.route, call.model, reply.status(), total);
    } finally {
      release(call);
    }
  }

  private static String millis(double seconds) {
    return Long.toString(Math.round(seconds * 1000));
  }

  // ---------------------------------------------------------------- shutdown

  /**
   * Stops gracefully: closes the listening socket, answers 503 to new requests on open connections,
   * waits up to the drain timeout until every request has its response written, then stops the
   * batchers (they finish what they hold, for at most 5 s more), stops the HTTP server (closing what
   * is still open) and frees the models. Idempotent; returns when stopped.
   *
   * @return true when every request was answered within the drain timeout
   */
  public boolean shutdown() {
    synchronized (this) {
      if (state == State.DRAINING || state == State.STOPPED) {
        try {
          stopped.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return true;
      }
      state = State.DRAINING;
    }
    metrics.ready(false);
    for (Connector c : app.jettyServer().server().getConnectors()) {
      if (c instanceof NetworkConnector network) {
        network.shutdown(); // stops accepting; open connections stay for their answers
      }
    }
    long deadline = System.nanoTime() + options.drainTimeout().toNanos();
    while (handling.get() > 0 && System.nanoTime() < deadline) {
      sleep(5);
    }
    boolean drained = handling.get() == 0;
    try {
      settled.await(); // a model still loading finishes first, so that it is stopped and freed with the others
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<ServedModel<?>> loaded;
    synchronized (models) {
      loaded = new ArrayList<>(models.values());
    }
    for (ServedModel<?> m : loaded) {
      m.stopBatcher();
    }
    if (!drained) {
      LOG.warn("{} requests were still in flight after the drain timeout of {}", handling.get(), options.drainTimeout());
      long again = System.nanoTime() + Duration.ofSeconds(5).toNanos(); // let the batchers answer what they hold
      while (handling.get() > 0 && System.nanoTime() < again) {
        sleep(5);
      }
    }
    app.stop();
    try {
      for (ServedModel<?> m : loaded) {
        if (!m.awaitBatcher(Duration.ofSeconds(10))) {
          LOG.warn("the batcher of model {} did not stop", m.name());
          continue; // its thread may still use the buffers
        }
        m.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
    responders.shutdown();
    state = State.STOPPED;
    stopped.countDown();
    return drained;
  }

  /** After {@link #shutdown()}: whether every batcher thread ended (for tests). */
  boolean batchersStopped() throws InterruptedException {
    synchronized (models) {
      for (ServedModel<?> m : models.values()) {
        if (!m.awaitBatcher(Duration.ZERO)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Waits until {@link #shutdown()} has finished. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** {@link #shutdown()}. */
  @Override
  public void close() {
    shutdown();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String readVersion() {
    Properties p = new Properties();
    try (InputStream in = JbertServer.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "unknown");
  }
}
