package dev.nitricws.ports;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SocketName;

/**
 * What the embedding code does around the app's work for one connection: {@link WebsocketApp}
 * opens a scope around each handler call, each call of the error hook and each of its own log
 * lines about a connection, on the thread that runs it, and closes it right after. Bootstrap fills
 * the logging context (SLF4J's MDC) with the connection's id and socket, so every line logged
 * inside carries them.
 *
 * <p>It gets the socket and the id, never a query, header or payload. {@link #open} is called from
 * any thread and must return at once and not throw; the scope is closed on the thread that opened
 * it. Work a handler hands to {@code answerAfter} runs outside the scope (it ends on other threads).
 */
@FunctionalInterface
public interface ConnectionScope {

  /** Opens no scope: the default. */
  ConnectionScope NONE = (socket, id) -> Opened.NOTHING;

  /** Enters the scope of connection {@code id} on {@code socket} on this thread. */
  Opened open(SocketName socket, ConnectionId id);

  /** An open scope; {@link #close()} leaves it, restoring what the thread had before. */
  @FunctionalInterface
  interface Opened extends AutoCloseable {

    /** A scope that holds nothing. */
    Opened NOTHING = () -> {};

    @Override
    void close();
  }
}
