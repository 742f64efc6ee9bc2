package dev.nitricws.ports;

import dev.nitricws.domain.ConnectionId;

/** What every handler sees: the socket and the connection the event is about. */
public interface SocketContext {

  /** The socket, to send, broadcast, close or count. */
  Websocket socket();

  /** The connection the event is about. */
  ConnectionId connectionId();
}
