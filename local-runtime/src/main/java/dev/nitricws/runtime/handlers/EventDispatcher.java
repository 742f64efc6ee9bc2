package dev.nitricws.runtime.handlers;

import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Delivers websocket events to the application and hands back its answers. */
public interface EventDispatcher {

  /**
   * Sends one event to one handler stream registered for the event's socket and {@code type}.
   * Thread-safe and non-blocking.
   *
   * @return a future of the application's answer; of {@link Optional#empty()} at once when no
   *     handler is registered; failed with {@link HandlerUnavailableException} when the handler
   *     stream ends before answering or with a {@link java.util.concurrent.TimeoutException} when
   *     no answer comes within the handler timeout
   */
  CompletableFuture<Optional<WebsocketEventResponse>> dispatch(
      WebsocketEventType type, WebsocketEventRequest event);
}
