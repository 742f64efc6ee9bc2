package dev.nitricws.runtime;

import io.netty.channel.Channel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One declared socket: its listening channel and its open connections by id. Thread-safe. */
final class SocketEndpoint {

  private final String name;
  private final Map<String, ClientConnection> connections = new ConcurrentHashMap<>();
  private volatile Channel serverChannel;
  private volatile int port;
  private volatile String url;

  SocketEndpoint(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  String url() {
    return url;
  }

  Channel serverChannel() {
    return serverChannel;
  }

  void bound(Channel channel, int boundPort, String advertisedHost) {
    this.serverChannel = channel;
    this.port = boundPort;
    this.url = "ws://" + advertisedHost + ":" + boundPort;
  }

  ClientConnection connection(String connectionId) {
    return connections.get(connectionId);
  }

  /** A snapshot of the open connections. */
  List<ClientConnection> connections() {
    return List.copyOf(connections.values());
  }

  int connectionCount() {
    return connections.size();
  }

  void add(ClientConnection connection) {
    connections.put(connection.id(), connection);
  }

  void remove(ClientConnection connection) {
    connections.remove(connection.id(), connection);
  }
}
