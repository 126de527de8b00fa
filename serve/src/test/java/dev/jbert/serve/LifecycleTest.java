package dev.jbert.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The port opens before the models load; {@code /health} says 503 until every model is loaded and warm,
 * then 200; a model that cannot load fails {@link JbertServer#awaitReady} with its reason; a missing
 * folder fails at once; options and model names are checked.
 */
class LifecycleTest {

  @TempDir Path tmp;

  @Test
  void healthIs503WhileLoadingThen200() throws Exception {
    JbertServer server = JbertServer.start(ServeOptions.builder().model("minilm", SharedModels.miniLm()).port(0)
        .build());
    try {
      Http http = new Http(server.url());
      Http.Response early = http.get("/health");
      assertEquals(JbertServer.State.LOADING, server.state(), "all-MiniLM-L6-v2 takes longer to load than one request");
      BadInputTest.assertError(early, 503, "unhealthy", "loading");
      assertEquals("5", early.header("Retry-After"));
      BadInputTest.assertError(http.post("/embed", "{\"inputs\": \"a\"}"), 503, "unhealthy", "loading");
      server.awaitReady(Duration.ofMinutes(1));
      assertEquals(200, http.get("/health").status());
      assertEquals(200, http.post("/embed", "{\"inputs\": \"a\"}").status());
      assertTrue(ConcurrencyTest.value(http.get("/metrics").body(), "jbert_model_load_duration_seconds{model=\"minilm\"}")
          > 0);
    } finally {
      server.shutdown();
    }
  }

  @Test
  void aModelThatCannotLoadFailsReadinessWithItsReason() throws Exception {
    Path broken = tmp.resolve("broken");
    Files.createDirectories(broken);
    Files.writeString(broken.resolve("config.json"), "{\"architectures\": [\"BertModel\"], \"hidden_size\": 8}");
    JbertServer server = JbertServer.start(ServeOptions.builder().model("broken", broken).port(0).build());
    try {
      IOException e = assertThrows(IOException.class, () -> server.awaitReady(Duration.ofMinutes(1)));
      assertTrue(e.getMessage().startsWith("cannot serve the models"), e.getMessage());
      assertEquals(JbertServer.State.FAILED, server.state());
      BadInputTest.assertError(new Http(server.url()).get("/health"), 503, "unhealthy", "failed to load");
    } finally {
      server.shutdown();
    }
    IOException missing = assertThrows(IOException.class,
        () -> JbertServer.start(ServeOptions.builder().model("gone", tmp.resolve("gone")).port(0).build()));
    assertTrue(missing.getMessage().contains("is not a model folder"), missing.getMessage());
  }

  @Test
  void modelNamesAndOptionsAreChecked() {
    assertEquals(new ModelSpec("intent", Path.of("runs/banking77")), ModelSpec.parse("intent=runs/banking77"));
    assertEquals(new ModelSpec("banking77", Path.of("runs/banking77")), ModelSpec.parse("runs/banking77"));
    assertEquals("all-MiniLM-L6-v2", ModelSpec.parse("../shared/models/all-MiniLM-L6-v2/").name());
    assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("a b=dir"));
    assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse("name="));
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> ServeOptions.builder().model("m", Path.of("a")).model("m", Path.of("b")).build());
    assertTrue(twice.getMessage().contains("two models are named 'm'"));
    assertThrows(IllegalArgumentException.class, () -> ServeOptions.builder().build());
    assertThrows(IllegalArgumentException.class, () -> ServeOptions.builder().model("m", Path.of("a")).workers(0).build());
    assertThrows(IllegalArgumentException.class, () -> ServeOptions.builder().model("m", Path.of("a")).apiKey(" ").build());
    assertThrows(IllegalArgumentException.class,
        () -> ServeOptions.builder().model("m", Path.of("a")).requestTimeout(Duration.ZERO).build());
  }
}
