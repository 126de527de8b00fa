package dev.jbert.examples;

import dev.jbert.serve.JbertServer;
import dev.jbert.serve.ServeOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Starts the inference service from Java on a fine-tuned model (e.g. the README's quick start,
 * {@code runs/banking77}), waits until it is ready, and stops it again: the README's snippet, which
 * is the marked region below (a test keeps the two the same). While it runs, {@code curl
 * localhost:8080/info} answers.
 *
 * <pre>
 * mvn -q -pl examples -am package -DskipTests -Pexample -Dexample.class=dev.jbert.examples.ServeExample
 * </pre>
 */
public final class ServeExample {

  private ServeExample() {}

  public static void main(String[] args) throws Exception {
    // README:begin serve
    JbertServer server = JbertServer.start(ServeOptions.builder()
        .model("intent", Path.of("runs/banking77")).port(8080).apiKey(System.getenv("JBERT_API_KEY")).build());
    server.awaitReady(Duration.ofMinutes(2));
    // ...
    server.shutdown();   // stop accepting, answer what is in flight, free the models
    // README:end
  }
}
