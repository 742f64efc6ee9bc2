package dev.nitricws.bootstrap;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.ConnectionScope;
import org.slf4j.MDC;

/**
 * Puts the connection in SLF4J's MDC while the app works for it: {@value #CONNECTION_ID} and
 * {@value #SOCKET}, so every line logged in a handler, the error hook or the app about that
 * connection carries them (the Logback pattern prints them). Closing the scope restores what the
 * thread had before. Only the id and the socket's name: never a query value.
 */
final class MdcConnectionScope implements ConnectionScope {

  /** MDC key of the connection's id. */
  static final String CONNECTION_ID = "connectionId";
  /** MDC key of the socket's name. */
  static final String SOCKET = "socket";

  @Override
  public Opened open(SocketName socket, ConnectionId id) {
    String socketBefore = MDC.get(SOCKET);
    String idBefore = MDC.get(CONNECTION_ID);
    MDC.put(SOCKET, socket.value());
    MDC.put(CONNECTION_ID, id.value());
    return () -> {
      restore(SOCKET, socketBefore);
      restore(CONNECTION_ID, idBefore);
    };
  }

  private static void restore(String key, String before) {
    if (before == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, before);
    }
  }
}
