package dev.nitricws.runtime;

/**
 * The connection is not reading: more than its write buffer waits for it, so a message to it is
 * dropped. Answered as gRPC RESOURCE_EXHAUSTED; the connection is still there.
 */
final class SlowClientException extends RuntimeException {

  SlowClientException(String connectionId) {
    super("slow client: connection " + connectionId + " is not reading fast enough; message dropped");
  }
}
