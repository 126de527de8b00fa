package dev.jbert.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The service's Prometheus metrics, in a registry of its own (several services in one JVM do not mix),
 * written in the Prometheus text format by {@code GET /metrics}.
 *
 * <pre>
 * jbert_requests_total{route, model, status}             requests answered (499: client gone)
 * jbert_request_duration_seconds{route, model}           total time, first byte in to response ready
 * jbert_request_tokenization_duration_seconds{model}     parsing and tokenizing
 * jbert_request_queue_duration_seconds{model}            waiting for a batch
 * jbert_request_inference_duration_seconds{model}        the batch's compute
 * jbert_request_inputs{model}                            inputs per request
 * jbert_batch_size{model}                                inputs per batch
 * jbert_batch_requests{model}                            requests per batch
 * jbert_batch_forward_passes{model}                      forward passes per batch
 * jbert_batch_tokens{model}                              padded tokens per batch, over its passes
 * jbert_queue_depth{model}                               requests waiting now
 * jbert_requests_in_flight                               requests admitted and not yet answered
 * jbert_requests_dropped_total{model, reason}            client_gone, timeout
 * jbert_model_load_duration_seconds{model}               loading and warming up
 * jbert_ready                                            1 once every model is warm, 0 while loading or draining
 * </pre>
 */
final class Metrics {

  private static final double[] SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
      10, 30};
  private static final double[] COUNTS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
  private static final double[] TOKENS = {16, 64, 256, 1024, 2048, 4096, 8192, 16384, 32768, 65536};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Map<String, IntSupplier> queues = new ConcurrentHashMap<>();

  private final Counter requests = Counter.builder().name("jbert_requests_total")
      .help("Requests answered, by route, model and HTTP status (499: the client went away)")
      .labelNames("route", "model", "status").register(registry);
  private final Histogram duration = seconds("jbert_request_duration_seconds",
      "Time from the request's arrival to its response", "route", "model");
  private final Histogram tokenization = seconds("jbert_request_tokenization_duration_seconds",
      "Time parsing and tokenizing a request", "model");
  private final Histogram queue = seconds("jbert_request_queue_duration_seconds",
      "Time a request waited for a batch", "model");
  private final Histogram inference = seconds("jbert_request_inference_duration_seconds",
      "Time the batch of a request computed", "model");
  private final Histogram requestInputs = histogram("jbert_request_inputs", "Inputs per request", COUNTS);
  private final Histogram batchSize = histogram("jbert_batch_size", "Inputs per batch", COUNTS);
  private final Histogram batchRequests = histogram("jbert_batch_requests", "Requests per batch", COUNTS);
  private final Histogram batchTokens = histogram("jbert_batch_tokens",
      "Padded tokens per batch, summed over its forward passes", TOKENS);
  private final Histogram batchPasses = histogram("jbert_batch_forward_passes",
      "Forward passes per batch (inputs sorted by length, cut where padding costs most)", COUNTS);
  private final Counter dropped = Counter.builder().name("jbert_requests_dropped_total")
      .help("Requests dropped before they were computed, by reason (client_gone, timeout)")
      .labelNames("model", "reason").register(registry);
  private final Gauge inFlight = Gauge.builder().name("jbert_requests_in_flight")
      .help("Requests admitted and not yet answered").register(registry);
  private final Gauge loadSeconds = Gauge.builder().name("jbert_model_load_duration_seconds").unit(Unit.SECONDS)
      .help("Time loading a model and warming it up").labelNames("model").register(registry);
  private final Gauge ready = Gauge.builder().name("jbert_ready")
      .help("1 once every model is loaded and warm, 0 while loading or shutting down").register(registry);

  Metrics() {
    GaugeWithCallback.builder().name("jbert_queue_depth").help("Requests waiting for a batch").labelNames("model")
        .callback(cb -> queues.forEach((model, depth) -> cb.call(depth.getAsInt(), model))).register(registry);
  }

  private Histogram seconds(String name, String help, String... labels) {
    return Histogram.builder().name(name).help(help).labelNames(labels).classicOnly().classicUpperBounds(SECONDS)
        .register(registry);
  }

  private Histogram histogram(String name, String help, double[] bounds) {
    return Histogram.builder().name(name).help(help).labelNames("model").classicOnly().classicUpperBounds(bounds)
        .register(registry);
  }

  /** Reports the queue depth of {@code model} from {@code depth}. */
  void queue(String model, IntSupplier depth) {
    queues.put(model, depth);
  }

  /** One answered request. */
  void request(String route, String model, int status, double seconds) {
    requests.labelValues(route, model, Integer.toString(status)).inc();
    duration.labelValues(route, model).observe(seconds);
  }

  /** The phases of one computed request. */
  void phases(String model, int inputs, double tokenizeSeconds, double queueSeconds, double inferenceSeconds) {
    requestInputs.labelValues(model).observe(inputs);
    tokenization.labelValues(model).observe(tokenizeSeconds);
    queue.labelValues(model).observe(queueSeconds);
    inference.labelValues(model).observe(inferenceSeconds);
  }

  /** One batch about to be computed. */
  void batch(String model, int requests, int inputs, int passes, long paddedTokens) {
    batchRequests.labelValues(model).observe(requests);
    batchSize.labelValues(model).observe(inputs);
    batchPasses.labelValues(model).observe(passes);
    batchTokens.labelValues(model).observe(paddedTokens);
  }

  /** One request dropped before compute. */
  void dropped(String model, String reason) {
    dropped.labelValues(model, reason).inc();
  }

  void inFlight(int n) {
    inFlight.set(n);
  }

  void loaded(String model, double seconds) {
    loadSeconds.labelValues(model).set(seconds);
  }

  void ready(boolean value) {
    ready.set(value ? 1 : 0);
  }

  /** The Prometheus text format's content type. */
  String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  /** Every metric in the Prometheus text format. */
  byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
