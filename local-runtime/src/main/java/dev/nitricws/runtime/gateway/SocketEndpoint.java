package dev.nitricws.runtime.gateway;

import io.netty.channel.Channel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One declared socket: its listening channel, and its connections by id: those whose upgrade is
 * under way (from the Connect event on) and those open. Thread-safe.
 */
public final class SocketEndpoint {

  private final String name;
  private final OutboundBudget outbound;
  private final Map<String, ClientConnection> connections = new ConcurrentHashMap<>();
  private final Map<String, ClientConnection> opening = new ConcurrentHashMap<>();
  private volatile Channel serverChannel;
  private volatile int port;
  private volatile String url;

  SocketEndpoint(String name, OutboundBudget outbound) {
    this.name = name;
    this.outbound = outbound;
  }

  String name() {
    return name;
  }

  /** The port clients connect to. */
  public int port() {
    return port;
  }

  /** The gateway's bound on bytes queued for all its clients. */
  OutboundBudget outbound() {
    return outbound;
  }

  /** The URL clients connect to, e.g. {@code ws://127.0.0.1:4000}. */
  public String url() {
    return url;
  }

  Channel serverChannel() {
    return serverChannel;
  }

  /** The socket listens on {@code boundPort}; clients reach it at {@code schemeAndHost:boundPort}. */
  void bound(Channel channel, int boundPort, String schemeAndHost) {
    this.serverChannel = channel;
    this.port = boundPort;
    this.url = schemeAndHost + ":" + boundPort;
  }

  /** An open connection, or one whose upgrade is under way; null when there is none. */
  ClientConnection connection(String connectionId) {
    ClientConnection open = connections.get(connectionId);
    return open != null ? open : opening.get(connectionId);
  }

  /** A snapshot of the open connections. */
  List<ClientConnection> connections() {
    return List.copyOf(connections.values());
  }

  /** How many connections are open. */
  public int connectionCount() {
    return connections.size();
  }

  /** A connection whose Connect event is on its way: it can be sent to from now on. */
  void opening(ClientConnection connection) {
    opening.put(connection.id(), connection);
  }

  /** The connection is open (no longer opening). */
  void add(ClientConnection connection) {
    connections.put(connection.id(), connection);
    opening.remove(connection.id(), connection);
  }

  void remove(ClientConnection connection) {
    connections.remove(connection.id(), connection);
    opening.remove(connection.id(), connection);
  }
}
