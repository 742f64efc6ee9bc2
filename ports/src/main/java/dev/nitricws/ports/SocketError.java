package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SocketName;

/**
 * Something that went wrong while the app served one connection, as a socket's error hook sees it
 * ({@link SocketHandler#onError}): a handler method that threw, failed the work it handed over or
 * ran out of time, or a reply or broadcast made through a handler's context that failed.
 *
 * @param socket the socket
 * @param connectionId the connection the event was about
 * @param during what was going on, e.g. {@code "message handler"} or {@code "reply"}
 * @param cause what went wrong
 */
public record SocketError(SocketName socket, ConnectionId connectionId, String during, Throwable cause) {

  public SocketError {
    requireNonNull(socket, "socket");
    requireNonNull(connectionId, "connectionId");
    requireNonNull(during, "during");
    requireNonNull(cause, "cause");
  }
}
