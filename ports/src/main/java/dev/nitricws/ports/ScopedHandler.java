package dev.nitricws.ports;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SocketName;

/** A socket's handler whose every call runs inside the {@link ConnectionScope} of its connection. */
final class ScopedHandler implements SocketHandler {

  private final ConnectionScope scope;
  private final SocketHandler handler;

  private ScopedHandler(ConnectionScope scope, SocketHandler handler) {
    this.scope = scope;
    this.handler = handler;
  }

  /** {@code handler} inside {@code scope}; itself when the scope is {@link ConnectionScope#NONE}. */
  static SocketHandler of(ConnectionScope scope, SocketHandler handler) {
    return scope == ConnectionScope.NONE ? handler : new ScopedHandler(scope, handler);
  }

  @Override
  public void onConnect(ConnectContext context) throws Exception {
    inScope(scope, context.socket().name(), context.connectionId(), () -> handler.onConnect(context));
  }

  @Override
  public void onDisconnect(DisconnectContext context) throws Exception {
    inScope(scope, context.socket().name(), context.connectionId(), () -> handler.onDisconnect(context));
  }

  @Override
  public void onMessage(MessageContext context) throws Exception {
    inScope(scope, context.socket().name(), context.connectionId(), () -> handler.onMessage(context));
  }

  @Override
  public void onError(SocketError error) {
    log(scope, error.socket(), error.connectionId(), () -> handler.onError(error));
  }

  /** Runs {@code line} (a log line about one connection, or the error hook) inside the connection's scope. */
  static void log(ConnectionScope scope, SocketName socket, ConnectionId id, Runnable line) {
    ConnectionScope.Opened opened = scope.open(socket, id);
    try {
      line.run();
    } finally {
      opened.close();
    }
  }

  private static void inScope(ConnectionScope scope, SocketName socket, ConnectionId id, Call call) throws Exception {
    ConnectionScope.Opened opened = scope.open(socket, id);
    try {
      call.run();
    } finally {
      opened.close();
    }
  }

  /** One handler call. */
  @FunctionalInterface
  private interface Call {
    void run() throws Exception;
  }
}
