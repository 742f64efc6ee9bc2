package dev.nitricws.runtime.gateway;

/**
 * The connection's upgrade is not complete yet and it already holds as much as it may: the
 * message is dropped. Answered as gRPC UNAVAILABLE; the connection is not gone.
 */
final class ConnectionOpeningException extends RuntimeException {

  ConnectionOpeningException(String connectionId) {
    super("connection " + connectionId + " is still opening and holds " + ConnectionWriter.MAX_HELD
        + " messages or its write buffer already; message dropped");
  }
}
