package dev.jbert.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP/1.1 client for the tests. */
final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  private final String base;
  private final String apiKey;

  Http(String base) {
    this(base, null);
  }

  Http(String base, String apiKey) {
    this.base = base;
    this.apiKey = apiKey;
  }

  /** One answer. */
  record Response(int status, HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return Fields.JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    /** The error_type of an error body. */
    String errorType() {
      return json().path("error_type").asText(null);
    }
  }

  Response get(String path) {
    return send(request(path).GET().build());
  }

  Response post(String path, String json) {
    return send(request(path).POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type",
        "application/json").build());
  }

  Response post(String path, byte[] body) {
    return send(request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  URI uri(String path) {
    return URI.create(base + path);
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b;
  }

  Response send(HttpRequest request) {
    try {
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
