package dev.nitricws.ports;

import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import java.util.concurrent.CompletionStage;

/**
 * A message a client sent, with shorthands to answer it. A reply or broadcast made through these
 * shorthands while the handler runs is waited for before the message is answered and the
 * connection's next message is handled, so one sender's messages go out in order without a
 * blocked thread (joining and leaving a group too); a failed reply also reaches the socket's error hook ({@link SocketHandler#onError}).
 */
public interface MessageContext extends SocketContext {

  /** The message as received. */
  SocketEvent.Message message();

  /** The payload as UTF-8 text. */
  default String text() {
    return message().text();
  }

  /** A copy of the payload. */
  default byte[] bytes() {
    return message().bytes();
  }

  /** Sends {@code text} back to the sender. */
  default CompletionStage<SendOutcome> reply(String text) {
    return socket().send(connectionId(), text);
  }

  /** Sends {@code text} to every connection of the socket, the sender included. */
  default CompletionStage<BroadcastReport> broadcast(String text) {
    return socket().broadcast(text);
  }

  /** Sends {@code text} to every connection of the socket but the sender. */
  default CompletionStage<BroadcastReport> broadcastToOthers(String text) {
    return socket().broadcastExcept(connectionId(), text);
  }

  /** Makes the sender a member of {@code group} (a room); completes with {@code false} if it has gone. */
  default CompletionStage<Boolean> join(String group) {
    return socket().group(group).join(connectionId());
  }

  /** Takes the sender out of {@code group}; {@code true} if it was a member. */
  default CompletionStage<Boolean> leave(String group) {
    return socket().group(group).leave(connectionId());
  }

  /** Sends {@code text} to every member of {@code group}, the sender included if it is one. */
  default CompletionStage<BroadcastReport> broadcastToGroup(String group, String text) {
    return socket().group(group).broadcast(text);
  }

  /** Sends {@code text} to every member of {@code group} but the sender. */
  default CompletionStage<BroadcastReport> broadcastToOthersInGroup(String group, String text) {
    return socket().group(group).broadcastExcept(connectionId(), text);
  }
}
