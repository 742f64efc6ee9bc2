package dev.nitricws.ports;

import dev.nitricws.domain.ConnectionId;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** What every handler sees: the socket and the connection the event is about. */
public interface SocketContext {

  /** The socket, to send, broadcast, close or count. */
  Websocket socket();

  /** The connection the event is about. */
  ConnectionId connectionId();

  /**
   * The attribute {@code name} of the connection: set at connect (by {@link
   * ConnectContext#attribute(String, String)}, {@link ConnectContext#user(String)} or an
   * authenticator), readable in every later event of the connection without a store call of yours
   * (the app keeps the attributes of the connections it has seen, and reads the registry once for
   * one it has not). Empty when not set. Throws {@link IllegalStateException} when the registry could
   * not be read for this event.
   */
  Optional<String> attribute(String name);

  /** The connection's user id ({@link ConnectContext#user(String)}, or an authenticator's subject), if any. */
  default Optional<String> user() {
    return attribute(Authenticator.SUBJECT_ATTRIBUTE);
  }

  /**
   * Lets the handler return at once and the app answer this event only when {@code work} has
   * completed: the connection's next event waits for it too, so order is kept without a blocked
   * thread (e.g. {@code context.answerAfter(context.socket().broadcast(text))}). The handler
   * timeout covers the work: what has not completed by then is not waited for. Work that fails
   * counts as a failed handler (a connect is then rejected). Call it from the handler method,
   * any number of times; a call after the handler has returned throws {@link IllegalStateException}.
   */
  void answerAfter(CompletionStage<?> work);
}
