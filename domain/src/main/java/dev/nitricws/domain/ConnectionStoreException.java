package dev.nitricws.domain;

/**
 * A connection store could not do what was asked (unreachable, timed out, refused the data).
 * Adapters translate their client library's exceptions into this one, keeping the cause.
 */
public class ConnectionStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConnectionStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public ConnectionStoreException(String message) {
    super(message);
  }
}
