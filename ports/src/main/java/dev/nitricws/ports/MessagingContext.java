package dev.nitricws.ports;

import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** A message as its handler sees it: every shorthand goes through {@link #awaited}, so order is kept. */
final class MessagingContext extends HandlerContext implements MessageContext {

  private final SocketEvent.Message message;

  MessagingContext(Websocket socket, SocketEvent.Message message, KnownAttributes attributes,
      Consumer<SocketError> errors) {
    super(socket, message.connectionId(), attributes, errors);
    this.message = message;
  }

  @Override
  public SocketEvent.Message message() {
    return message;
  }

  @Override
  public CompletionStage<SendOutcome> reply(String text) {
    return replied(socket().send(connectionId(), text));
  }

  @Override
  public CompletionStage<SendOutcome> reply(byte[] data) {
    return replied(socket().send(connectionId(), data));
  }

  @Override
  public CompletionStage<SendOutcome> replyJson(Object value) {
    return replied(socket().sendJson(connectionId(), value));
  }

  @Override
  public CompletionStage<BroadcastReport> broadcast(String text) {
    return awaited("broadcast", socket().broadcast(text));
  }

  @Override
  public CompletionStage<BroadcastReport> broadcast(byte[] data) {
    return awaited("broadcast", socket().broadcast(data));
  }

  @Override
  public CompletionStage<BroadcastReport> broadcastJson(Object value) {
    return awaited("broadcast", socket().broadcastJson(value));
  }

  @Override
  public CompletionStage<BroadcastReport> broadcastToOthers(String text) {
    return awaited("broadcast", socket().broadcastExcept(connectionId(), text));
  }

  @Override
  public CompletionStage<BroadcastReport> broadcastToOthers(byte[] data) {
    return awaited("broadcast", socket().broadcastExcept(connectionId(), data));
  }

  @Override
  public CompletionStage<BroadcastReport> broadcastJsonToOthers(Object value) {
    return awaited("broadcast", socket().broadcastJsonExcept(connectionId(), value));
  }

  @Override
  public CompletionStage<Boolean> join(String group) {
    return awaited("join", socket().group(group).join(connectionId()));
  }

  @Override
  public CompletionStage<Boolean> leave(String group) {
    return awaited("leave", socket().group(group).leave(connectionId()));
  }

  @Override
  public CompletionStage<BroadcastReport> broadcastToGroup(String group, String text) {
    return awaited("broadcast", socket().group(group).broadcast(text));
  }

  @Override
  public CompletionStage<BroadcastReport> broadcastToOthersInGroup(String group, String text) {
    return awaited("broadcast", socket().group(group).broadcastExcept(connectionId(), text));
  }

  /** A reply, waited for; a failed outcome also goes to the error hook. */
  private CompletionStage<SendOutcome> replied(CompletionStage<SendOutcome> send) {
    return awaited("reply", send.whenComplete((outcome, error) -> {
      if (outcome instanceof SendOutcome.Failed failed) {
        failed("reply", failed.cause());
      }
    }));
  }
}
