package dev.nitricws.runtime;

/** The handler stream an event was sent on ended (or could not take the event) before answering. */
final class HandlerUnavailableException extends RuntimeException {

  HandlerUnavailableException(String message) {
    super(message);
  }

  HandlerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
