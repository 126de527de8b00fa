package dev.jbert.serve;

import java.time.Duration;
import java.util.function.UnaryOperator;

/** Services of their own for the tests that need special limits or a hook: the tiny intent model. */
final class TestServers {

  private TestServers() {}

  /** A ready service of the tiny intent model as {@code intent}, on a free port, configured by {@code options}. */
  static JbertServer intent(UnaryOperator<ServeOptions.Builder> options, BatchHook hook) throws Exception {
    ServeOptions.Builder b = ServeOptions.builder().model("intent", TinyModels.intent()).port(0);
    JbertServer server = JbertServer.start(options.apply(b).build(), hook);
    server.awaitReady(Duration.ofMinutes(1));
    return server;
  }
}
