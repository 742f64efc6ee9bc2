package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import java.util.function.Consumer;

/** A {@link SocketHandler} made of callbacks: what the builder and {@link SocketHandler#authenticated} build. */
record CallbackHandler(
    SocketHandler.Callback<ConnectContext> connect,
    SocketHandler.Callback<DisconnectContext> disconnect,
    SocketHandler.Callback<MessageContext> message,
    Consumer<SocketError> error) implements SocketHandler {

  CallbackHandler {
    requireNonNull(connect, "connect");
    requireNonNull(disconnect, "disconnect");
    requireNonNull(message, "message");
    requireNonNull(error, "error");
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

  @Override
  public void onError(SocketError failure) {
    error.accept(failure);
  }
}
