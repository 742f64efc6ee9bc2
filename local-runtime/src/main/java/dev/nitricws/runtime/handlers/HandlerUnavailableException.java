package dev.nitricws.runtime.handlers;

/** The handler stream an event was sent on ended (or could not take the event) before answering. */
public final class HandlerUnavailableException extends RuntimeException {

  HandlerUnavailableException(String message) {
    super(message);
  }

  HandlerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
