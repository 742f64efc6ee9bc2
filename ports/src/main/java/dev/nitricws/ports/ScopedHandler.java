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
    try (ConnectionScope.Opened ignored = open(context)) {
      handler.onConnect(context);
    }
  }

  @Override
  public void onDisconnect(DisconnectContext context) throws Exception {
    try (ConnectionScope.Opened ignored = open(context)) {
      handler.onDisconnect(context);
    }
  }

  @Override
  public void onMessage(MessageContext context) throws Exception {
    try (ConnectionScope.Opened ignored = open(context)) {
      handler.onMessage(context);
    }
  }

  @Override
  public void onError(SocketError error) {
    try (ConnectionScope.Opened ignored = scope.open(error.socket(), error.connectionId())) {
      handler.onError(error);
    }
  }

  private ConnectionScope.Opened open(SocketContext context) {
    return scope.open(context.socket().name(), context.connectionId());
  }

  /** Runs {@code line} (a log line about one connection) inside the connection's scope. */
  static void log(ConnectionScope scope, SocketName socket, ConnectionId id, Runnable line) {
    try (ConnectionScope.Opened ignored = scope.open(socket, id)) {
      line.run();
    }
  }
}
