package dev.nitricws.domain;

import java.util.concurrent.CompletionStage;

/**
 * The outbound port to the gateway: sends data to one connection, or closes it. Implemented by
 * the Nitric adapter (gRPC SendMessage / CloseConnection) and by test doubles.
 *
 * <p>Thread-safe and asynchronous: methods return at once and never throw for a failed send;
 * the stage completes with {@link SendOutcome#DELIVERED}, {@link SendOutcome.Gone} when the
 * gateway does not know the connection (so it can be pruned), or {@link SendOutcome.Failed}.
 */
public interface MessageSender {

  /**
   * Sends {@code data} (a text frame when it is valid UTF-8) to one connection. The caller hands
   * the array over: nobody may change it afterwards, so the sender can keep it without a copy (a
   * broadcast sends one array to every connection).
   */
  CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data);

  /**
   * Closes one connection from the server side; the gateway then reports a disconnect. Closing
   * an unknown or closed connection completes with {@link SendOutcome.Gone}.
   */
  CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id);
}
