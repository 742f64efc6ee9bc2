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
 *
 * <p>Each shorthand takes text (sent as UTF-8), bytes, or an object written as JSON by the app's
 * {@link JsonMapper} ({@code replyJson}, {@code broadcastJson}, {@code broadcastJsonToOthers});
 * {@link #json(Class)} reads the payload with the same mapper. Without a mapper the JSON ones
 * throw {@link IllegalStateException} saying how to set one.
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

  /**
   * The payload read as JSON into a {@code type} by the app's {@link JsonMapper}.
   *
   * @throws IllegalStateException if the app has no {@link JsonMapper}
   * @throws IllegalArgumentException if the payload is not JSON or does not fit {@code type}
   */
  default <T> T json(Class<T> type) {
    return socket().jsonMapper().fromJson(message().bytes(), type);
  }

  /** Sends {@code text} back to the sender. */
  default CompletionStage<SendOutcome> reply(String text) {
    return socket().send(connectionId(), text);
  }

  /** Sends {@code data} back to the sender. */
  default CompletionStage<SendOutcome> reply(byte[] data) {
    return socket().send(connectionId(), data);
  }

  /**
   * Sends {@code value} written as JSON back to the sender.
   *
   * @throws IllegalStateException if the app has no {@link JsonMapper}
   * @throws IllegalArgumentException if the mapper cannot write {@code value}
   */
  default CompletionStage<SendOutcome> replyJson(Object value) {
    return socket().sendJson(connectionId(), value);
  }

  /** Sends {@code text} to every connection of the socket, the sender included. */
  default CompletionStage<BroadcastReport> broadcast(String text) {
    return socket().broadcast(text);
  }

  /** Sends {@code data} to every connection of the socket, the sender included. */
  default CompletionStage<BroadcastReport> broadcast(byte[] data) {
    return socket().broadcast(data);
  }

  /**
   * Sends {@code value} written as JSON (once) to every connection of the socket, the sender included.
   *
   * @throws IllegalStateException if the app has no {@link JsonMapper}
   * @throws IllegalArgumentException if the mapper cannot write {@code value}
   */
  default CompletionStage<BroadcastReport> broadcastJson(Object value) {
    return socket().broadcastJson(value);
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

  /** Sends {@code data} to every connection of the socket but the sender. */
  default CompletionStage<BroadcastReport> broadcastToOthers(byte[] data) {
    return socket().broadcastExcept(connectionId(), data);
  }

  /**
   * Sends {@code value} written as JSON (once) to every connection of the socket but the sender.
   *
   * @throws IllegalStateException if the app has no {@link JsonMapper}
   * @throws IllegalArgumentException if the mapper cannot write {@code value}
   */
  default CompletionStage<BroadcastReport> broadcastJsonToOthers(Object value) {
    return socket().broadcastJsonExcept(connectionId(), value);
  }
}
