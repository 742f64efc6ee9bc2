package dev.nitricws.ports;

import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** A message as its handler sees it. */
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
    return awaited("reply", socket().send(connectionId(), text).whenComplete((outcome, error) -> {
      if (outcome instanceof SendOutcome.Failed failed) {
        failed("reply", failed.cause());
      }
    }));
  }

  @Override
  public CompletionStage<BroadcastReport> broadcast(String text) {
    return awaited("broadcast", socket().broadcast(text));
  }

  @Override
  public CompletionStage<BroadcastReport> broadcastToOthers(String text) {
    return awaited("broadcast", socket().broadcastExcept(connectionId(), text));
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
}
