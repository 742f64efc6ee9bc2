package dev.nitricws.ports;

import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The inbound port: where an event source (the Nitric adapter's HandleEvents streams, a test)
 * hands each socket event. Implemented by {@link WebsocketApp}.
 */
public interface SocketEvents {

  /** The sockets this application handles; an event source subscribes to each of them. */
  Set<SocketName> sockets();

  /**
   * Handles one event and answers it. Never throws and never completes exceptionally: a handler
   * that fails or times out still gets an answer ({@link EventAnswer#FAILED} for a connect).
   * Returns at once; the work runs on the application's own executor.
   */
  CompletionStage<EventAnswer> handle(SocketEvent event);
}
