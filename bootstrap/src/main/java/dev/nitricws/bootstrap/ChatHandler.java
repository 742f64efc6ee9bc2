package dev.nitricws.bootstrap;

import dev.nitricws.domain.BroadcastReport;
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
    // the bytes as they came: text stays text, binary stays binary. The handler waits for the
    // broadcast (on the app's handler thread, never a network thread), so one sender's messages
    // reach everyone in the order they were sent.
    BroadcastReport report = context.socket().broadcast(context.bytes()).toCompletableFuture().join();
    LOG.debug("broadcast from {}: {}", context.connectionId(), report);
  }
}
