package dev.jbert.cli;

import dev.jbert.finetune.embed.Pooling;
import dev.jbert.serve.JbertServer;
import dev.jbert.serve.ModelSpec;
import dev.jbert.serve.ServeOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert serve}: the inference service ({@link JbertServer}) until {@code SIGTERM} or Ctrl-C,
 * which stop it gracefully: no new connections, requests in flight answered (up to
 * {@code --drain-timeout}), then exit.
 *
 * <p>Progress goes to stderr: the address as soon as the port is open, one line per model once loaded
 * and warm, then {@code ready}. A model folder that cannot be used stops the command with exit code 2, as in the other commands.
 */
@Command(
    name = "serve",
    description = {
        "Serve models over HTTP: text-embeddings-inference's /predict, /rerank, /embed, /tokenize, /info, /health,",
        "/metrics; OpenAI's /v1/embeddings; jbert's /v1/classify (pairs, dialogue context, top-k, hand-off); /v1/models.",
        "SIGTERM or Ctrl-C stops accepting, answers what is in flight, then exits."})
final class ServeCommand implements Callable<Integer> {

  @CommandLine.Mixin JbertCli.Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "[NAME=]DIR",
      description = "A fine-tuned jbert classifier or regressor, or any BERT folder (served as an embedding model);"
          + " repeat for several models. NAME (default: the folder's name) is used in /v1/models/NAME/... and the"
          + " model field; routes that name no model use the first model that answers them.")
  List<String> models = new ArrayList<>();

  @Option(names = "--host", defaultValue = ServeOptions.DEFAULT_HOST, paramLabel = "ADDRESS",
      description = "Address to bind (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 for every interface).")
  String host;

  @Option(names = "--port", defaultValue = "" + ServeOptions.DEFAULT_PORT, paramLabel = "N",
      description = "TCP port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--workers", defaultValue = "1", paramLabel = "N",
      description = "Replicas per model, each with its own batch thread; the weights are shared (default ${DEFAULT-VALUE})."
          + " Each replica's batches use JBERT_THREADS threads.")
  int workers;

  @Option(names = "--max-batch-tokens", defaultValue = "" + ServeOptions.DEFAULT_MAX_BATCH_TOKENS, paramLabel = "N",
      description = "Token budget of one batch, counted padded: longest input x inputs (default ${DEFAULT-VALUE}).")
  int maxBatchTokens;

  @Option(names = "--max-batch-requests", defaultValue = "" + ServeOptions.DEFAULT_MAX_BATCH_REQUESTS,
      paramLabel = "N", description = "Requests in one batch at most (default ${DEFAULT-VALUE}).")
  int maxBatchRequests;

  @Option(names = "--max-concurrent-requests", defaultValue = "" + ServeOptions.DEFAULT_MAX_CONCURRENT_REQUESTS,
      paramLabel = "N", description = "Requests queued or running at once, over all models; beyond, 429 with"
          + " Retry-After (default ${DEFAULT-VALUE}).")
  int maxConcurrentRequests;

  @Option(names = "--max-client-batch-size", defaultValue = "" + ServeOptions.DEFAULT_MAX_CLIENT_BATCH_SIZE,
      paramLabel = "N", description = "Inputs in one request at most; beyond, 413 (default ${DEFAULT-VALUE}).")
  int maxClientBatchSize;

  @Option(names = "--payload-limit", defaultValue = "" + ServeOptions.DEFAULT_PAYLOAD_LIMIT, paramLabel = "BYTES",
      description = "Request body size at most; beyond, 413 (default ${DEFAULT-VALUE}).")
  long payloadLimit;

  @Option(names = "--request-timeout", defaultValue = "30", paramLabel = "SECONDS",
      description = "Time a request may wait and run; beyond, 504 (default ${DEFAULT-VALUE}).")
  double requestTimeout;

  @Option(names = "--auto-truncate", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Cut over-long inputs when a request does not send truncate (default on; --no-auto-truncate"
          + " answers 422 instead).")
  boolean autoTruncate;

  @Option(names = "--api-key", defaultValue = "${env:JBERT_API_KEY}", paramLabel = "KEY",
      description = "Require Authorization: Bearer KEY on every route but /health (default: the JBERT_API_KEY"
          + " environment variable, which keeps the key out of the process list; none when unset).")
  String apiKey;

  @Option(names = "--cors-allow-origin", paramLabel = "ORIGIN",
      description = "Allow browser calls from ORIGIN (repeat; * for any). Without it no CORS headers are sent.")
  List<String> corsAllowOrigins = new ArrayList<>();

  @Option(names = "--pooling", paramLabel = "cls|mean|max",
      description = "Pooling of embedding models (default: the folder's 1_Pooling/config.json, else mean).")
  String pooling;

  @Option(names = "--drain-timeout", defaultValue = "30", paramLabel = "SECONDS",
      description = "On SIGTERM, how long to wait for requests in flight (default ${DEFAULT-VALUE}).")
  double drainTimeout;

  @Override
  public Integer call() throws Exception {
    ServeOptions.Builder b = ServeOptions.builder();
    for (String m : models) {
      b.model(ModelSpec.parse(m));
    }
    Pooling pool;
    try {
      pool = pooling == null ? null : Pooling.of(pooling);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--pooling: '" + pooling + "' is not one of cls, mean, max");
    }
    ServeOptions options = b.host(host).port(port).workers(workers).maxBatchTokens(maxBatchTokens)
        .maxBatchRequests(maxBatchRequests).maxConcurrentRequests(maxConcurrentRequests)
        .maxClientBatchSize(maxClientBatchSize).payloadLimit(payloadLimit).requestTimeout(seconds(requestTimeout,
            "--request-timeout")).autoTruncate(autoTruncate).apiKey(apiKey == null || apiKey.isEmpty() ? null : apiKey)
        .corsAllowOrigins(corsAllowOrigins).pooling(pool).drainTimeout(seconds(drainTimeout, "--drain-timeout"))
        .build();
    PrintWriter err = spec.commandLine().getErr();
    JbertServer server;
    try {
      server = JbertServer.start(options);
    } catch (IOException e) {
      err.println("jbert: " + e.getMessage());
      return exitCode(e);
    }
    Thread hook = new Thread(() -> {
      err.println("jbert serve: stopping: no new connections, answering the requests in flight");
      err.flush();
      boolean drained = server.shutdown();
      err.println(drained ? "jbert serve: stopped" : "jbert serve: stopped after the drain timeout");
      err.flush();
    }, "jbert-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    err.println("jbert serve: listening on " + server.url() + (options.apiKey() != null ? " (API key required)" : "")
        + "; loading " + options.models().size() + " model" + (options.models().size() == 1 ? "" : "s"));
    err.flush();
    try {
      server.awaitReady(Duration.ofDays(365));
    } catch (IOException e) {
      err.println("jbert: " + e.getMessage());
      err.flush();
      Runtime.getRuntime().removeShutdownHook(hook);
      server.shutdown();
      return exitCode(e);
    }
    for (String line : server.describeModels()) {
      err.println("jbert serve: " + line);
    }
    err.println("jbert serve: ready");
    err.flush();
    server.awaitStopped();
    return 0;
  }

  private static Duration seconds(double value, String option) {
    if (!(value >= 0) || value > 1e7) {
      throw new IllegalArgumentException(option + " must be a number of seconds >= 0, got " + value);
    }
    return Duration.ofNanos(Math.round(value * 1e9));
  }

  /** 2 when a model folder cannot be used (the failure or one of its causes is bad input), else 1. */
  private static int exitCode(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Exception x && JbertCli.exitCode(x) == JbertCli.BAD_INPUT) {
        return JbertCli.BAD_INPUT;
      }
    }
    return 1;
  }
}
