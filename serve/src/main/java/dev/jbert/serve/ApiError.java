package dev.jbert.serve;

/**
 * A request the service answers with an error: the HTTP status, the {@code error_type} of the JSON body
 * ({@code {"error": "...", "error_type": "..."}}, as text-embeddings-inference writes it) and, for
 * overload and unavailability, how many seconds the client should wait before retrying.
 *
 * <p>Statuses: 400 malformed JSON or a route the model cannot answer, 401 missing or wrong API key,
 * 404 unknown route or model, 405 wrong method, 413 body or input count over the limit, 422 a
 * well-formed request with bad values (wrong types, empty text, over-long input without truncation,
 * input the model was not trained to read), 429 overloaded, 503 not ready or shutting down, 504 the
 * request ran past its timeout, 500 an unexpected failure (its details stay in the server log).
 */
public final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The {@code error_type} values. */
  public enum Type {
    /** The body is not JSON, or the request asks a model for what it does not do. */
    BAD_REQUEST("bad_request"),
    /** No or a wrong API key. */
    UNAUTHORIZED("unauthorized"),
    /** Unknown route or model. */
    NOT_FOUND("not_found"),
    /** The route exists for another method. */
    METHOD_NOT_ALLOWED("method_not_allowed"),
    /** A field has a wrong type or value, or an input breaks a limit (TEI's type). */
    VALIDATION("validation"),
    /** The queue is full (TEI's type). */
    OVERLOADED("overloaded"),
    /** Not ready yet, or shutting down (TEI's type). */
    UNHEALTHY("unhealthy"),
    /** The request ran past its timeout. */
    TIMEOUT("timeout"),
    /** An unexpected failure inside the service (TEI's type). */
    BACKEND("backend");

    private final String id;

    Type(String id) {
      this.id = id;
    }

    /** The value written as {@code error_type}. */
    public String id() {
      return id;
    }
  }

  /** The HTTP status. */
  private final int status;
  /** The kind, written as {@code error_type}. */
  private final Type type;
  /** Seconds for the {@code Retry-After} header, or 0 for none. */
  private final int retryAfterSeconds;

  /** An error without a retry hint. */
  public ApiError(int status, Type type, String message) {
    this(status, type, message, 0);
  }

  /**
   * @param retryAfterSeconds the {@code Retry-After} value, or 0 for none
   */
  public ApiError(int status, Type type, String message, int retryAfterSeconds) {
    super(message, null, false, false); // no stack trace: it is an answer, not a bug
    this.status = status;
    this.type = type;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 422: a field with a wrong type or value. */
  public static ApiError validation(String message) {
    return new ApiError(422, Type.VALIDATION, message);
  }

  /** 413: over a size or count limit. */
  public static ApiError tooLarge(String message) {
    return new ApiError(413, Type.VALIDATION, message);
  }

  /** 400: the request cannot be read, or asks the model for what it does not do. */
  public static ApiError badRequest(String message) {
    return new ApiError(400, Type.BAD_REQUEST, message);
  }

  /** 404: no such route or model. */
  public static ApiError notFound(String message) {
    return new ApiError(404, Type.NOT_FOUND, message);
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The {@code error_type}. */
  public Type type() {
    return type;
  }

  /** Seconds for {@code Retry-After}, or 0 when the header is not sent. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
