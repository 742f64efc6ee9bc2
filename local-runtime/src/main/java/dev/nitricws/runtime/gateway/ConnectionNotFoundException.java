package dev.nitricws.runtime.gateway;

/** No open websocket connection has the given id; answered as gRPC UNKNOWN like the reference runtime. */
final class ConnectionNotFoundException extends RuntimeException {

  ConnectionNotFoundException(String connectionId) {
    super("could not get connection " + connectionId);
  }

  /** The connection was there but went away while a frame was being written to it. */
  ConnectionNotFoundException(String connectionId, Throwable cause) {
    super("could not get connection " + connectionId, cause);
  }
}
