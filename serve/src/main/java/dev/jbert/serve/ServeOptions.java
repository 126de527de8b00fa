package dev.jbert.serve;

import dev.jbert.finetune.embed.Pooling;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything {@code jbert serve} is told: the models, where to listen, the batching and overload
 * limits, security. Build with {@link #builder()}; the defaults follow text-embeddings-inference where it
 * has the same setting.
 *
 * @param models the models, the first of each kind answering the routes that name no model
 * @param host the address to bind; {@value #DEFAULT_HOST} (loopback only) by default
 * @param port the TCP port; 0 picks a free one
 * @param workers model replicas per model, each with its own batcher thread; the weights are shared
 * @param maxBatchTokens the padded token budget of one batch: longest input × inputs
 * @param maxBatchRequests requests in one batch at most
 * @param maxConcurrentRequests requests admitted at once (queued or running), over all models; one more
 *     is answered 429 at once
 * @param maxClientBatchSize inputs in one request at most (413 beyond)
 * @param payloadLimit request body bytes at most (413 beyond)
 * @param requestTimeout how long a request may wait and run before it is answered 504: at the deadline
 *     when it is still queued (it is then never computed) or runs on a batcher thread, when its forward
 *     pass ends when it runs on the thread that received it
 * @param autoTruncate whether over-long inputs are cut when the request does not say {@code truncate}
 * @param apiKey the Bearer token every route but {@code /health} needs, or null for none
 * @param corsAllowOrigins origins allowed by CORS; empty (the default) sends no CORS headers
 * @param pooling the pooling of embedding models instead of their folder's, or null
 * @param drainTimeout how long a shutdown waits for requests in flight
 */
public record ServeOptions(
    List<ModelSpec> models,
    String host,
    int port,
    int workers,
    int maxBatchTokens,
    int maxBatchRequests,
    int maxConcurrentRequests,
    int maxClientBatchSize,
    long payloadLimit,
    Duration requestTimeout,
    boolean autoTruncate,
    String apiKey,
    List<String> corsAllowOrigins,
    Pooling pooling,
    Duration drainTimeout) {

  /** Loopback only: exposing the service is a decision the operator makes with {@code --host}. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** TEI's port. */
  public static final int DEFAULT_PORT = 8080;
  /** TEI's {@code --max-batch-tokens}. */
  public static final int DEFAULT_MAX_BATCH_TOKENS = 16384;
  /** Requests in one batch unless set. */
  public static final int DEFAULT_MAX_BATCH_REQUESTS = 64;
  /** TEI's {@code --max-concurrent-requests}. */
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 512;
  /** TEI's {@code --max-client-batch-size}. */
  public static final int DEFAULT_MAX_CLIENT_BATCH_SIZE = 32;
  /** 2 MB, TEI's payload limit. */
  public static final long DEFAULT_PAYLOAD_LIMIT = 2_000_000;
  /** How long a request may wait and run unless set. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** How long a shutdown waits for requests in flight unless set. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  /** Copies the lists and checks every limit, naming the one out of range. */
  public ServeOptions {
    models = List.copyOf(models);
    corsAllowOrigins = List.copyOf(corsAllowOrigins);
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    if (models.isEmpty()) {
      throw new IllegalArgumentException("no model to serve; give at least one --model");
    }
    Set<String> names = new HashSet<>();
    for (ModelSpec m : models) {
      if (!names.add(m.name())) {
        throw new IllegalArgumentException("two models are named '" + m.name() + "'; name them with NAME=DIR");
      }
    }
    check(port >= 0 && port <= 65535, "port must be in [0, 65535], got " + port);
    check(workers >= 1, "workers must be >= 1, got " + workers);
    check(maxBatchTokens >= 1, "max batch tokens must be >= 1, got " + maxBatchTokens);
    check(maxBatchRequests >= 1, "max batch requests must be >= 1, got " + maxBatchRequests);
    check(maxConcurrentRequests >= 1, "max concurrent requests must be >= 1, got " + maxConcurrentRequests);
    check(maxClientBatchSize >= 1, "max client batch size must be >= 1, got " + maxClientBatchSize);
    check(payloadLimit >= 1, "payload limit must be >= 1 byte, got " + payloadLimit);
    check(!requestTimeout.isNegative() && !requestTimeout.isZero(), "request timeout must be > 0, got " + requestTimeout);
    check(!drainTimeout.isNegative(), "drain timeout must be >= 0, got " + drainTimeout);
    check(apiKey == null || !apiKey.isBlank(), "the API key is empty; leave it unset to serve without one");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects {@link ServeOptions}; {@link #build()} checks them. */
  public static final class Builder {
    private final List<ModelSpec> models = new ArrayList<>();
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private int workers = 1;
    private int maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;
    private int maxBatchRequests = DEFAULT_MAX_BATCH_REQUESTS;
    private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
    private int maxClientBatchSize = DEFAULT_MAX_CLIENT_BATCH_SIZE;
    private long payloadLimit = DEFAULT_PAYLOAD_LIMIT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private boolean autoTruncate = true;
    private String apiKey;
    private List<String> corsAllowOrigins = List.of();
    private Pooling pooling;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;

    private Builder() {}

    /** Adds a model; the first of each kind answers the routes that name none. */
    public Builder model(ModelSpec spec) {
      models.add(spec);
      return this;
    }

    /** Adds the model in folder {@code dir} under {@code name}. */
    public Builder model(String name, java.nio.file.Path dir) {
      return model(new ModelSpec(name, dir));
    }

    /** {@link ServeOptions#host()}; default {@value ServeOptions#DEFAULT_HOST}. */
    public Builder host(String value) {
      host = value;
      return this;
    }

    /** {@link ServeOptions#port()}; default {@value ServeOptions#DEFAULT_PORT}. */
    public Builder port(int value) {
      port = value;
      return this;
    }

    /** {@link ServeOptions#workers()}; default 1. */
    public Builder workers(int value) {
      workers = value;
      return this;
    }

    /** {@link ServeOptions#maxBatchTokens()}; default {@value ServeOptions#DEFAULT_MAX_BATCH_TOKENS}. */
    public Builder maxBatchTokens(int value) {
      maxBatchTokens = value;
      return this;
    }

    /** {@link ServeOptions#maxBatchRequests()}; default {@value ServeOptions#DEFAULT_MAX_BATCH_REQUESTS}. */
    public Builder maxBatchRequests(int value) {
      maxBatchRequests = value;
      return this;
    }

    /** {@link ServeOptions#maxConcurrentRequests()}; default {@value ServeOptions#DEFAULT_MAX_CONCURRENT_REQUESTS}. */
    public Builder maxConcurrentRequests(int value) {
      maxConcurrentRequests = value;
      return this;
    }

    /** {@link ServeOptions#maxClientBatchSize()}; default {@value ServeOptions#DEFAULT_MAX_CLIENT_BATCH_SIZE}. */
    public Builder maxClientBatchSize(int value) {
      maxClientBatchSize = value;
      return this;
    }

    /** {@link ServeOptions#payloadLimit()}; default {@value ServeOptions#DEFAULT_PAYLOAD_LIMIT} bytes. */
    public Builder payloadLimit(long bytes) {
      payloadLimit = bytes;
      return this;
    }

    /** {@link ServeOptions#requestTimeout()}; default 30 s. */
    public Builder requestTimeout(Duration value) {
      requestTimeout = value;
      return this;
    }

    /** {@link ServeOptions#autoTruncate()}; default true. */
    public Builder autoTruncate(boolean value) {
      autoTruncate = value;
      return this;
    }

    /** {@link ServeOptions#apiKey()}; default none. */
    public Builder apiKey(String value) {
      apiKey = value;
      return this;
    }

    /** {@link ServeOptions#corsAllowOrigins()}; default none. */
    public Builder corsAllowOrigins(List<String> value) {
      corsAllowOrigins = value;
      return this;
    }

    /** {@link ServeOptions#pooling()}; default each folder's own. */
    public Builder pooling(Pooling value) {
      pooling = value;
      return this;
    }

    /** {@link ServeOptions#drainTimeout()}; default 30 s. */
    public Builder drainTimeout(Duration value) {
      drainTimeout = value;
      return this;
    }

    /** The options, checked ({@link IllegalArgumentException} names the first one out of range). */
    public ServeOptions build() {
      return new ServeOptions(models, host, port, workers, maxBatchTokens, maxBatchRequests, maxConcurrentRequests,
          maxClientBatchSize, payloadLimit, requestTimeout, autoTruncate, apiKey, corsAllowOrigins, pooling,
          drainTimeout);
    }
  }
}
