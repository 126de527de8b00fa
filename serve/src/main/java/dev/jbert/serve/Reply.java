package dev.jbert.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A response ready to write: status, body, content type, and the {@code Retry-After} seconds (0: none).
 *
 * @param status the HTTP status
 * @param body the bytes
 * @param contentType the {@code Content-Type}
 * @param retryAfterSeconds the {@code Retry-After} value, 0 for none
 */
record Reply(int status, byte[] body, String contentType, int retryAfterSeconds) {

  static final String JSON_TYPE = "application/json";

  /** 200 with a JSON body. */
  static Reply json(Object value) {
    return json(200, value);
  }

  /** A JSON body. */
  static Reply json(int status, Object value) {
    try {
      return new Reply(status, Fields.JSON.writeValueAsBytes(value), JSON_TYPE, 0);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code {"error": message, "error_type": type}} with the error's status. */
  static Reply error(ApiError e) {
    ObjectNode body = Fields.JSON.createObjectNode();
    body.put("error", e.getMessage());
    body.put("error_type", e.type().id());
    Reply r = json(e.status(), body);
    return new Reply(r.status, r.body, r.contentType, e.retryAfterSeconds());
  }

  /** Plain text. */
  static Reply text(int status, String text, String contentType) {
    return new Reply(status, text.getBytes(StandardCharsets.UTF_8), contentType, 0);
  }
}
