package dev.nitricws.runtime;

/** The local runtime could not start, bind a port, or read or write its key-value files. */
public final class LocalRuntimeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public LocalRuntimeException(String message) {
    super(message);
  }

  public LocalRuntimeException(String message, Throwable cause) {
    super(message, cause);
  }
}
