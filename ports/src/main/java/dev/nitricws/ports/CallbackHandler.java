package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

/** A {@link SocketHandler} made of three callbacks: what the builder and {@link SocketHandler#authenticated} build. */
record CallbackHandler(
    SocketHandler.Callback<ConnectContext> connect,
    SocketHandler.Callback<DisconnectContext> disconnect,
    SocketHandler.Callback<MessageContext> message) implements SocketHandler {

  CallbackHandler {
    requireNonNull(connect, "connect");
    requireNonNull(disconnect, "disconnect");
    requireNonNull(message, "message");
  }

  @Override
  public void onConnect(ConnectContext context) throws Exception {
    connect.handle(context);
  }

  @Override
  public void onDisconnect(DisconnectContext context) throws Exception {
    disconnect.handle(context);
  }

  @Override
  public void onMessage(MessageContext context) throws Exception {
    message.handle(context);
  }
}
