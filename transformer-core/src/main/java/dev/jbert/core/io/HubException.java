package dev.jbert.core.io;

import java.io.IOException;

/** A model could not be found locally nor fetched from the Hugging Face hub; the message says what to do. */
public final class HubException extends IOException {
  private static final long serialVersionUID = 1L;

  /** @param message what failed and how to fix it */
  public HubException(String message) {
    super(message);
  }

  /** @param message what failed and how to fix it; @param cause the underlying error */
  public HubException(String message, Throwable cause) {
    super(message, cause);
  }
}
