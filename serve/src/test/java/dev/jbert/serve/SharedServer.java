package dev.jbert.serve;

import dev.jbert.finetune.SharedModels;
import java.time.Duration;

/**
 * One service for the route and bad-input tests, started once per test JVM: an intent classifier
 * (first, so the default for {@code /predict}), a reply matcher, a context model, a regressor, the
 * intent model with a saved hand-off, and all-MiniLM-L6-v2 as the embedding model.
 */
final class SharedServer {

  private static JbertServer server;

  private SharedServer() {}

  static synchronized JbertServer get() {
    if (server == null) {
      try {
        server = JbertServer.start(ServeOptions.builder()
            .model("intent", TinyModels.intent())
            .model("pair", TinyModels.pair())
            .model("context", TinyModels.context())
            .model("score", TinyModels.regression())
            .model("handoff", TinyModels.intentWithHandOff())
            .model("minilm", SharedModels.miniLm())
            .port(0)
            .maxClientBatchSize(8)
            .build());
        server.awaitReady(Duration.ofMinutes(2));
      } catch (Exception e) {
        throw new IllegalStateException("the shared test service did not start", e);
      }
    }
    return server;
  }

  static Http http() {
    return new Http(get().url());
  }
}
