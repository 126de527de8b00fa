package dev.jbert.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bad request gets a 4xx with a JSON body {@code {"error", "error_type"}} that says what is wrong
 * and where, never a stack trace: malformed JSON, wrong types, empty text, too many inputs, too large a
 * body, over-long input without truncation, input the model was not trained to read.
 */
class BadInputTest {

  private static Http http;

  @BeforeAll
  static void start() {
    http = SharedServer.http();
  }

  /** Checks status, error_type, a fragment of the message, and that only those two fields are sent. */
  static void assertError(Http.Response r, int status, String type, String fragment) {
    assertEquals(status, r.status(), r.body());
    JsonNode body = r.json();
    assertEquals(type, body.get("error_type").asText(), r.body());
    String message = body.get("error").asText();
    assertTrue(message.contains(fragment), "'" + message + "' should contain '" + fragment + "'");
    Iterator<String> names = body.fieldNames();
    assertEquals(List.of("error", "error_type"), List.of(names.next(), names.next()));
    assertFalse(names.hasNext());
    assertFalse(r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains("dev.jbert"),
        "no stack trace or class name leaves the process: " + r.body());
    assertEquals("application/json", r.header("content-type").split(";")[0]);
  }

  @Test
  void malformedJson() {
    assertError(http.post("/predict", "{\"inputs\": "), 400, "bad_request", "line 1, column");
    assertError(http.post("/predict", "{\"inputs\": \"a\", \"inputs\": \"b\"}"), 400, "bad_request", "inputs");
    assertError(http.post("/predict", "{\"inputs\": \"a\"} trailing"), 400, "bad_request", "not valid JSON");
    assertError(http.post("/predict", ""), 400, "bad_request", "no body");
    assertError(http.post("/embed", "[\"a\"]"), 422, "validation", "must be a JSON object, got array");
    assertError(http.post("/tokenize", "not json"), 400, "bad_request", "not valid JSON");
  }

  @Test
  void wrongTypesAndEmptyText() {
    assertError(http.post("/predict", "{}"), 422, "validation", "inputs must be a string");
    assertError(http.post("/predict", "{\"inputs\": 3}"), 422, "validation", "got number");
    assertError(http.post("/predict", "{\"inputs\": []}"), 422, "validation", "an empty list");
    assertError(http.post("/predict", "{\"inputs\": \"  \"}"), 422, "validation", "inputs is empty");
    assertError(http.post("/predict", "{\"inputs\": [\"a\", \"b\", \"c\"]}"), 422, "validation", "list of 3 strings");
    assertError(http.post("/predict", "{\"inputs\": [[\"a\"], [\"a\", \"b\", \"c\"]]}"), 422, "validation",
        "inputs[1] must be [text] or [text, text_pair]");
    assertError(http.post("/predict", "{\"inputs\": [[\"a\"], [null]]}"), 422, "validation",
        "inputs[1][0] must be a string, got null");
    assertError(http.post("/predict", "{\"inputs\": \"a\", \"raw_scores\": \"yes\"}"), 422, "validation",
        "raw_scores must be true or false");
    assertError(http.post("/predict", "{\"inputs\": \"a\", \"truncate\": 1}"), 422, "validation", "truncate");
    assertError(http.post("/predict", "{\"inputs\": \"a\", \"truncation_direction\": \"up\"}"), 422, "validation",
        "truncation_direction");
    assertError(http.post("/embed", "{\"inputs\": [\"a\", 3]}"), 422, "validation", "inputs[1] must be a string, got number");
    assertError(http.post("/embed", "{\"inputs\": \"\"}"), 422, "validation", "inputs is empty");
    assertError(http.post("/embed", "{\"inputs\": \"a\", \"normalize\": \"no\"}"), 422, "validation", "normalize");
    assertError(http.post("/tokenize", "{\"inputs\": {\"text\": \"a\"}}"), 422, "validation", "got object");
    assertError(http.post("/predict", "{\"inputs\": \"a\", \"model\": 7}"), 422, "validation", "model must be a string");
  }

  @Test
  void classifyFields() {
    assertError(http.post("/v1/classify", "{}"), 422, "validation", "send text");
    assertError(http.post("/v1/classify", "{\"text\": \"a\", \"texts\": [\"b\"]}"), 422, "validation", "not both");
    assertError(http.post("/v1/classify", "{\"texts\": \"a\"}"), 422, "validation", "texts must be a list of strings");
    assertError(http.post("/v1/classify", "{\"texts\": [\"a\", \"\"]}"), 422, "validation", "texts[1] is empty");
    assertError(http.post("/v1/classify", "{\"text\": \"a\", \"top_k\": 0}"), 422, "validation", "top_k must be in");
    assertError(http.post("/v1/classify", "{\"text\": \"a\", \"top_k\": \"3\"}"), 422, "validation",
        "top_k must be an integer");
    assertError(http.post("/v1/classify", "{\"text\": \"a\", \"top_k\": 1.5}"), 422, "validation", "top_k");
    assertError(http.post("/v1/classify", "{\"text\": \"a\", \"threshold\": 1.5}"), 422, "validation",
        "threshold must be in [0.0, 1.0]");
    assertError(http.post("/v1/classify", "{\"text\": \"a\", \"handoff_label\": \"human\"}"), 422, "validation",
        "handoff_label needs a threshold");
    assertError(http.post("/v1/models/pair/classify", "{\"texts\": [\"a\", \"b\"], \"text_pair\": [\"c\"]}"), 422,
        "validation", "text_pair has 1 entries and texts has 2");
    assertError(http.post("/v1/models/context/classify", "{\"texts\": [\"a\"], \"context\": [\"b\"]}"), 422,
        "validation", "context[0] must be a list of earlier turns");
  }

  @Test
  void inputsTheModelWasNotTrainedToRead() {
    assertError(http.post("/v1/models/pair/classify", "{\"text\": \"where is my card\"}"), 422, "validation",
        "has no candidate reply (text_pair)");
    assertError(http.post("/v1/models/pair/predict", "{\"inputs\": \"where is my card\"}"), 422, "validation",
        "text_pair");
    assertError(http.post("/v1/classify", "{\"text\": \"a\", \"text_pair\": \"b\"}"), 422, "validation",
        "takes no candidate reply");
    assertError(http.post("/v1/classify", "{\"text\": \"a\", \"context\": [\"b\"]}"), 422, "validation",
        "trained without earlier turns");
    assertError(http.post("/v1/models/context/classify", "{\"text\": \"a\", \"truncation_direction\": \"left\"}"), 422,
        "validation", "truncation_direction left is not supported");
    assertEquals(200, http.post("/v1/classify", "{\"text\": \"a\", \"truncation_direction\": \"Left\"}").status());
  }

  @Test
  void tooManyInputs() {
    String nine = "[" + "\"card\",".repeat(8) + "\"card\"]";
    assertError(http.post("/embed", "{\"inputs\": " + nine + "}"), 413, "validation",
        "batch size 9 > maximum allowed batch size 8");
    assertError(http.post("/v1/classify", "{\"texts\": " + nine + "}"), 413, "validation", "batch size 9");
    assertError(http.post("/predict", "{\"inputs\": [" + "[\"a\"],".repeat(8) + "[\"a\"]]}"), 413, "validation",
        "batch size 9");
    assertError(http.post("/tokenize", "{\"inputs\": " + nine + "}"), 413, "validation", "batch size 9");
    assertEquals(200, http.post("/embed", "{\"inputs\": " + nine.replaceFirst("\"card\",", "") + "}").status());
  }

  @Test
  void overLongInputIsCutUnlessTruncationIsOff() {
    String longText = "where is my card ".repeat(40); // 160 words, over the tiny model's 64 tokens
    assertEquals(200, http.post("/v1/classify", "{\"text\": \"" + longText + "\"}").status());
    assertError(http.post("/v1/classify", "{\"text\": \"" + longText + "\", \"truncate\": false}"), 422, "validation",
        "has 162 tokens and this model reads at most 64");
    assertError(http.post("/predict", "{\"inputs\": [[\"a\"], [\"" + longText + "\"]], \"truncate\": false}"), 422,
        "validation", "inputs[1] has");
    String veryLong = "card ".repeat(600);
    assertEquals(200, http.post("/embed", "{\"inputs\": \"" + veryLong + "\"}").status());
    assertError(http.post("/embed", "{\"inputs\": \"" + veryLong + "\", \"truncate\": false}"), 422, "validation",
        "reads at most 512");
  }

  @Test
  void openAiFields() {
    assertError(http.post("/v1/embeddings", "{\"input\": [1, 2, 3]}"), 422, "validation", "token ids");
    assertError(http.post("/v1/embeddings", "{\"input\": \"a\", \"encoding_format\": \"bits\"}"), 422, "validation",
        "encoding_format");
    assertError(http.post("/v1/embeddings", "{\"input\": \"a\", \"dimensions\": 10}"), 422, "validation",
        "384-dimensional");
    assertEquals(200, http.post("/v1/embeddings", "{\"input\": \"a\", \"dimensions\": 384, \"user\": \"u1\"}").status());
  }

  @Test
  void bodyOverTheLimit() {
    byte[] big = ("{\"inputs\": \"" + "a".repeat(2_100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertError(http.post("/embed", big), 413, "validation", "limit is 2000000");
    assertEquals("HTTP/1.1 413 Payload Too Large", firstLineAnsweringExpectContinue("/embed", big.length),
        "a client that waits for 100 Continue is refused before it sends the body");
    // without a declared length (chunked), the limit holds while reading
    HttpRequest chunked = http.request("/embed").POST(HttpRequest.BodyPublishers.ofInputStream(
        () -> new ByteArrayInputStream(big))).build();
    assertError(http.send(chunked), 413, "validation", "over the limit of 2000000 bytes");
    assertEquals(200, http.post("/embed", "{\"inputs\": \"a\"}").status(),
        "the service goes on");
  }

  /**
   * Sends only the headers of a POST with {@code Expect: 100-continue} and reads the first line of the
   * answer, over a raw socket: JDK 17's HttpClient waits forever when such a request is refused
   * (JDK-8286171).
   */
  private static String firstLineAnsweringExpectContinue(String path, int contentLength) {
    URI uri = http.uri(path);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(30_000);
      String head = "POST " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getAuthority()
          + "\r\nContent-Type: application/json\r\nContent-Length: " + contentLength
          + "\r\nExpect: 100-continue\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
