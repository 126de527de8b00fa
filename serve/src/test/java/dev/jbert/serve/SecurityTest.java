package dev.jbert.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With an API key every route but {@code /health} needs it as a Bearer token; without CORS origins no
 * CORS header is sent, with them only the listed origin gets one; the default address is loopback.
 */
class SecurityTest {

  @Test
  void theApiKeyGuardsEveryRouteButHealth() throws Exception {
    JbertServer server = TestServers.intent(o -> o.apiKey("s3cret-key"), BatchHook.NONE);
    try {
      Http anonymous = new Http(server.url());
      Http wrong = new Http(server.url(), "s3cret-kez");
      Http right = new Http(server.url(), "s3cret-key");
      assertEquals(200, anonymous.get("/health").status());
      for (String path : List.of("/info", "/metrics", "/v1/models")) {
        Http.Response r = anonymous.get(path);
        BadInputTest.assertError(r, 401, "unauthorized", "needs an API key");
        assertEquals("Bearer", r.header("WWW-Authenticate"));
        BadInputTest.assertError(wrong.get(path), 401, "unauthorized", "wrong");
        assertEquals(200, right.get(path).status(), path);
      }
      String body = "{\"inputs\": \"where is my card\"}";
      BadInputTest.assertError(anonymous.post("/predict", body), 401, "unauthorized", "API key");
      BadInputTest.assertError(wrong.post("/tokenize", body), 401, "unauthorized", "wrong");
      assertEquals(200, right.post("/predict", body).status());
      Http.Response lowerCaseScheme = anonymous.send(anonymous.request("/info").header("Authorization",
          "bearer s3cret-key").GET().build());
      assertEquals(200, lowerCaseScheme.status());
      Http.Response basic = anonymous.send(anonymous.request("/info").header("Authorization", "Basic czNjcmV0")
          .GET().build());
      assertEquals(401, basic.status());
    } finally {
      server.shutdown();
    }
  }

  @Test
  void noCorsUnlessAskedAndLoopbackByDefault() throws Exception {
    assertEquals("127.0.0.1", ServeOptions.builder().model("m", java.nio.file.Path.of("m")).build().host());
    JbertServer closed = TestServers.intent(o -> o, BatchHook.NONE);
    JbertServer open = TestServers.intent(o -> o.corsAllowOrigins(List.of("https://support.example")), BatchHook.NONE);
    try {
      Http http = new Http(closed.url());
      HttpRequest fromBrowser = http.request("/info").header("Origin", "https://evil.example").GET().build();
      assertNull(http.send(fromBrowser).header("Access-Control-Allow-Origin"));
      Http cors = new Http(open.url());
      HttpRequest allowed = cors.request("/info").header("Origin", "https://support.example").GET().build();
      assertEquals("https://support.example", cors.send(allowed).header("Access-Control-Allow-Origin"));
      HttpRequest other = cors.request("/info").header("Origin", "https://evil.example").GET().build();
      assertNull(cors.send(other).header("Access-Control-Allow-Origin"));
    } finally {
      closed.shutdown();
      open.shutdown();
    }
  }
}
