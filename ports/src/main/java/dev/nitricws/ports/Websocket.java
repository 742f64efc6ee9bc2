package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.Broadcaster;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionPruner;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.Delivery;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One websocket as application code sees it: send to a connection, broadcast to all of them,
 * close one, count them. Usable from a socket handler and from anywhere else (an HTTP handler, a
 * scheduled job). Every method is thread-safe and asynchronous. A connection the gateway reports
 * gone is removed from the registry on the way. Every send and close ends within the broadcaster's
 * send timeout (default 10 s): one the gateway does not answer in time ends as {@link
 * SendOutcome.Failed} with a {@link java.util.concurrent.TimeoutException}.
 */
public final class Websocket {

  private final SocketName name;
  private final ConnectionRegistry registry;
  private final MessageSender sender;
  private final Broadcaster broadcaster;
  private final ConnectionPruner pruner;
  private final SocketUrls urls;

  /**
   * A websocket with the default broadcast page size and bound on sends in flight; its {@link
   * #url()} asks {@code sender} when it is also a {@link SocketUrls} (the Nitric adapter is).
   */
  public Websocket(SocketName name, ConnectionRegistry registry, MessageSender sender) {
    this(name, registry, sender, new Broadcaster(registry), sender instanceof SocketUrls u ? u : null);
  }

  /**
   * A websocket that broadcasts with {@code broadcaster} (which must use the same registry), bounds
   * every send by its {@link Broadcaster#sendTimeout()}, and learns its URL from {@code urls}
   * (null: {@link #url()} fails saying none was given).
   */
  public Websocket(SocketName name, ConnectionRegistry registry, MessageSender sender, Broadcaster broadcaster,
      SocketUrls urls) {
    this.name = requireNonNull(name, "name");
    this.registry = requireNonNull(registry, "registry");
    this.sender = requireNonNull(sender, "sender");
    this.broadcaster = requireNonNull(broadcaster, "broadcaster");
    this.pruner = new ConnectionPruner(registry);
    this.urls = urls;
  }

  /** The socket's name. */
  public SocketName name() {
    return name;
  }

  /** Sends {@code data} to one connection; a gone connection is unregistered. */
  public CompletionStage<SendOutcome> send(ConnectionId id, byte[] data) {
    requireNonNull(id, "id");
    byte[] frozen = requireNonNull(data, "data").clone();
    return bounded(i -> sender.send(name, i, frozen), id, frozen.length);
  }

  /** Sends {@code text} as UTF-8 to one connection. */
  public CompletionStage<SendOutcome> send(ConnectionId id, String text) {
    requireNonNull(id, "id");
    byte[] data = utf8(text);
    return bounded(i -> sender.send(name, i, data), id, data.length);
  }

  /** Sends {@code data} to every connection of the socket. */
  public CompletionStage<BroadcastReport> broadcast(byte[] data) {
    return broadcastExcept(null, data);
  }

  /** Sends {@code text} as UTF-8 to every connection of the socket. */
  public CompletionStage<BroadcastReport> broadcast(String text) {
    return broadcastExcept(null, text);
  }

  /** Sends {@code data} to every connection but {@code except} (null: none skipped). */
  public CompletionStage<BroadcastReport> broadcastExcept(ConnectionId except, byte[] data) {
    return fanOut(except, requireNonNull(data, "data").clone());
  }

  /** Sends {@code text} as UTF-8 to every connection but {@code except}. */
  public CompletionStage<BroadcastReport> broadcastExcept(ConnectionId except, String text) {
    return fanOut(except, utf8(text));
  }

  /** One array, never changed, for every send of the broadcast. */
  private CompletionStage<BroadcastReport> fanOut(ConnectionId except, byte[] frozen) {
    return broadcaster.broadcast(name, id -> sender.send(name, id, frozen), except, frozen.length);
  }

  /** Closes one connection from the server side; a gone connection is unregistered. */
  public CompletionStage<SendOutcome> close(ConnectionId id) {
    requireNonNull(id, "id");
    return bounded(i -> sender.close(name, i), id, 0);
  }

  /**
   * The URL clients connect to, as the runtime reports it (SocketDetails), like the official
   * SDKs' {@code websocket.url()}. Fails when the runtime cannot say, or no {@link SocketUrls}
   * was given to the app.
   */
  public CompletionStage<String> url() {
    if (urls == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("socket '" + name + "' has no SocketUrls to ask "
          + "for its URL; give one to WebsocketApp.builder(...).socketUrls(...), or send with a sender that is one"));
    }
    try {
      return urls.url(name);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** How many connections the socket has. */
  public CompletionStage<Long> connectionCount() {
    return registry.count(name);
  }

  /** What the registry holds about one connection. */
  public CompletionStage<Optional<Connection>> connection(ConnectionId id) {
    return registry.find(name, requireNonNull(id, "id"));
  }

  private static byte[] utf8(String text) {
    return requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * One call to the sender, within the app's send budget and ended by the send timeout; a sender
   * that throws or fails its stage still yields an outcome. A gone connection is unregistered.
   */
  private CompletionStage<SendOutcome> bounded(Delivery call, ConnectionId id, long payloadBytes) {
    return broadcaster.bounded(call, payloadBytes).deliverTo(id).thenCompose(o -> pruner.afterSend(name, id, o));
  }
}
