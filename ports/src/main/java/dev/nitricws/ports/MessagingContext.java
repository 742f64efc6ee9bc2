package dev.nitricws.ports;

import dev.nitricws.domain.SocketEvent;

/** A message as its handler sees it. */
final class MessagingContext extends HandlerContext implements MessageContext {

  private final SocketEvent.Message message;

  MessagingContext(Websocket socket, SocketEvent.Message message) {
    super(socket, message.connectionId());
    this.message = message;
  }

  @Override
  public SocketEvent.Message message() {
    return message;
  }
}
