package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.BoundedSender;
import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.Broadcaster;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.Futures;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import dev.nitricws.domain.SocketUrls;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * One websocket as application code sees it: send to a connection, broadcast to all of them or to
 * a {@link Group} (a room, a user's connections), close one, count them. Usable from a socket handler and from anywhere else (an HTTP handler, a
 * scheduled job). Every method is thread-safe and asynchronous. A connection the gateway reports
 * gone is removed from the registry on the way. Every send and close ends within the broadcaster's
 * send timeout (default 10 s): one the gateway does not answer in time ends as {@link
 * SendOutcome.Failed} with a {@link java.util.concurrent.TimeoutException}.
 *
 * <p>The stages of a websocket from {@link WebsocketApp#websocket} complete on the app's callback
 * executor ({@link WebsocketApp.Builder#callbackExecutor}), never on a transport's or store's I/O
 * thread, so code chained to them may block; one made with a public constructor completes them
 * on the thread that ended the work.
 *
 * <p>Sends take text (sent as UTF-8), bytes, or an object written as JSON by the socket's {@link
 * JsonMapper} ({@code sendJson}, {@code broadcastJson}): a broadcast writes its object once and
 * sends that one array to every connection.
 */
public final class Websocket {

  private final SocketName name;
  private final ConnectionRegistry registry;
  private final ConnectionGroups groups;
  private final BoundedSender sender;
  private final Broadcaster broadcaster;
  private final SocketUrls urls;
  private final JsonMapper json;
  private final Executor callbacks;

  /**
   * A websocket with the default send budget, send timeout, broadcast page size and bound on sends
   * in flight; its {@link #url()} asks {@code sender} when it is also a {@link SocketUrls} (the
   * Nitric adapter is).
   */
  public Websocket(SocketName name, ConnectionRegistry registry, MessageSender sender) {
    this(name, registry, new BoundedSender(sender, registry), sender instanceof SocketUrls u ? u : null);
  }

  /**
   * A websocket that sends through {@code sender}, broadcasts with the default page size and bound
   * on sends in flight, and learns its URL from {@code urls} (null: {@link #url()} fails saying none
   * was given).
   */
  public Websocket(SocketName name, ConnectionRegistry registry, BoundedSender sender, SocketUrls urls) {
    this(name, registry, sender, urls, null);
  }

  /**
   * As {@link #Websocket(SocketName, ConnectionRegistry, BoundedSender, SocketUrls)}, writing the
   * objects of the JSON sends with {@code json} (null: they fail saying none was given).
   */
  public Websocket(SocketName name, ConnectionRegistry registry, BoundedSender sender, SocketUrls urls,
      JsonMapper json) {
    this(name, registry, registry instanceof ConnectionGroups g ? g : null, sender, new Broadcaster(registry, sender),
        urls, json, null);
  }

  /**
   * A websocket that keeps groups in {@code groups} (null: none, and group calls fail saying so),
   * broadcasts with {@code broadcaster}, which must use the same registry and sender, and completes
   * the stages it returns on {@code callbacks} (null: on the thread that completed the work).
   */
  Websocket(SocketName name, ConnectionRegistry registry, ConnectionGroups groups, BoundedSender sender,
      Broadcaster broadcaster, SocketUrls urls, JsonMapper json, Executor callbacks) {
    this.name = requireNonNull(name, "name");
    this.registry = requireNonNull(registry, "registry");
    this.groups = groups;
    this.sender = requireNonNull(sender, "sender");
    this.broadcaster = requireNonNull(broadcaster, "broadcaster");
    this.urls = urls;
    this.json = json;
    this.callbacks = callbacks;
  }

  /** The socket's name. */
  public SocketName name() {
    return name;
  }

  /** Sends {@code data} to one connection; a gone connection is unregistered. */
  public CompletionStage<SendOutcome> send(ConnectionId id, byte[] data) {
    requireNonNull(id, "id");
    return handOut(sender.send(name, id, requireNonNull(data, "data").clone()));
  }

  /** Sends {@code text} as UTF-8 to one connection. */
  public CompletionStage<SendOutcome> send(ConnectionId id, String text) {
    requireNonNull(id, "id");
    return handOut(sender.send(name, id, utf8(text)));
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
    return handOut(broadcaster.broadcast(name, requireNonNull(data, "data").clone(), except));
  }

  /** Sends {@code text} as UTF-8 to every connection but {@code except}. */
  public CompletionStage<BroadcastReport> broadcastExcept(ConnectionId except, String text) {
    return handOut(broadcaster.broadcast(name, utf8(text), except));
  }

  /**
   * Sends {@code value} written as JSON to one connection.
   *
   * @throws IllegalStateException if the socket has no {@link JsonMapper}
   * @throws IllegalArgumentException if the mapper cannot write {@code value}
   */
  public CompletionStage<SendOutcome> sendJson(ConnectionId id, Object value) {
    requireNonNull(id, "id");
    return handOut(sender.send(name, id, toJson(value)));
  }

  /**
   * Sends {@code value} written as JSON to every connection of the socket; it is written once, and
   * every send shares the array.
   *
   * @throws IllegalStateException if the socket has no {@link JsonMapper}
   * @throws IllegalArgumentException if the mapper cannot write {@code value}
   */
  public CompletionStage<BroadcastReport> broadcastJson(Object value) {
    return broadcastJsonExcept(null, value);
  }

  /**
   * Sends {@code value} written as JSON (once) to every connection but {@code except} (null: none
   * skipped).
   *
   * @throws IllegalStateException if the socket has no {@link JsonMapper}
   * @throws IllegalArgumentException if the mapper cannot write {@code value}
   */
  public CompletionStage<BroadcastReport> broadcastJsonExcept(ConnectionId except, Object value) {
    return handOut(broadcaster.broadcast(name, toJson(value), except));
  }

  /** Closes one connection from the server side; a gone connection is unregistered. */
  public CompletionStage<SendOutcome> close(ConnectionId id) {
    return handOut(sender.close(name, id));
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
      return handOut(urls.url(name));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** How many connections the socket has. */
  public CompletionStage<Long> connectionCount() {
    return handOut(registry.count(name));
  }

  /** What the registry holds about one connection. */
  public CompletionStage<Optional<Connection>> connection(ConnectionId id) {
    return handOut(registry.find(name, requireNonNull(id, "id")));
  }

  /**
   * The group {@code name} of this socket (a chat room, a topic): join connections to it, send to
   * its members, count them. Fails when the app's store keeps no groups.
   */
  public Group group(String name) {
    return group(GroupName.of(name));
  }

  /**
   * The connections of the user {@code userId} (those that connected with {@link
   * ConnectContext#user(String)}, or joined it): send to all of them, see whether the user is online.
   */
  public Group user(String userId) {
    return group(GroupName.user(userId));
  }

  /** The group {@code name} of this socket, a named one or a user's. */
  public Group group(GroupName name) {
    requireNonNull(name, "name");
    return new Group(this, name, groups(), broadcaster);
  }

  /** The groups (named ones and its user's) connection {@code id} belongs to; empty when it has gone. */
  public CompletionStage<Set<GroupName>> groupsOf(ConnectionId id) {
    return handOut(groups().groupsOf(name, requireNonNull(id, "id")));
  }

  /** Where this socket's groups are kept; fails when the store keeps none. */
  ConnectionGroups groups() {
    if (groups == null) {
      throw new IllegalStateException("socket '" + name + "' has no groups: its registry "
          + registry.getClass().getSimpleName() + " does not implement ConnectionGroups; use a store that keeps groups"
          + " (every nitric-ws store does), or give one to WebsocketApp.builder(...).groups(...)");
    }
    return groups;
  }

  /**
   * The mapper the socket's JSON sends write with, and {@link MessageContext#json} reads with.
   *
   * @throws IllegalStateException if none was given, saying how to give one
   */
  JsonMapper jsonMapper() {
    if (json == null) {
      throw new IllegalStateException("socket '" + name + "' has no JsonMapper to write and read JSON with; give one to "
          + "WebsocketApp.builder(...).jsonMapper(...) (the json module's JacksonJsonMapper is one)");
    }
    return json;
  }

  /**
   * {@code stage} as the caller gets it: completing on the app's callback executor, never on the
   * transport or store thread that ended the work (see {@link WebsocketApp.Builder#callbackExecutor}).
   */
  <T> CompletionStage<T> handOut(CompletionStage<T> stage) {
    return callbacks == null ? stage : Futures.completingOn(callbacks, stage);
  }

  /** {@code onPage} run on the app's callback executor, as {@link #handOut} completes stages there. */
  <A> Function<A, CompletionStage<?>> onCallbacks(Function<A, CompletionStage<?>> onPage) {
    if (callbacks == null) {
      return onPage;
    }
    return page -> {
      CompletableFuture<Object> handled = new CompletableFuture<>();
      callbacks.execute(() -> {
        try {
          Futures.forward(onPage.apply(page), handled);
        } catch (RuntimeException | Error e) {
          handled.completeExceptionally(e);
        }
      });
      return handled;
    };
  }

  /** {@code value} as JSON, in an array nobody else holds. */
  byte[] toJson(Object value) {
    requireNonNull(value, "value");
    byte[] data = jsonMapper().toJson(value);
    if (data == null) {
      throw new IllegalStateException("the JsonMapper " + json.getClass().getName() + " wrote null for a "
          + value.getClass().getName());
    }
    return data;
  }

  static byte[] utf8(String text) {
    return requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
  }
}
