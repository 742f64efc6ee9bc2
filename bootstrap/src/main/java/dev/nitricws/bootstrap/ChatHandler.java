package dev.nitricws.bootstrap;

import dev.nitricws.ports.ConnectContext;
import dev.nitricws.ports.MessageContext;
import dev.nitricws.ports.SocketHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's example: every message any client sends is broadcast to every connected client,
 * the sender included. Connections are tracked by the framework, so the handler only says what
 * to do with a message.
 */
final class ChatHandler implements SocketHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ChatHandler.class);

  @Override
  public void onConnect(ConnectContext context) {
    context.query().first("name").ifPresent(name -> context.attribute("name", name));
    LOG.debug("{} connected", context.connectionId());
  }

  @Override
  public void onMessage(MessageContext context) {
    // the bytes as they came: text stays text, binary stays binary. The app answers this message,
    // and hands this client's next one to the handler, only once the broadcast has ended, so one
    // sender's messages reach everyone in the order they were sent; no thread waits meanwhile, and
    // each send ends by the send timeout, so a client that never reads holds up nobody but the sender.
    context.answerAfter(context.socket().broadcast(context.bytes())
        .thenAccept(report -> LOG.debug("broadcast from {}: {}", context.connectionId(), report)));
  }
}
