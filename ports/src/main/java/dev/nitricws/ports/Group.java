package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.Broadcaster;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.SocketName;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A group of one socket's connections, as application code sees it: a named group (a chat room,
 * {@link Websocket#group(String)}) or the connections of one user ({@link Websocket#user(String)}).
 * Join and leave, send to every member, count them, list them page by page. Members are kept by the
 * store beside the connections: a connection leaves all its groups when it disconnects, is pruned
 * or its entry expires. Every method is thread-safe and asynchronous; sends have the guarantees of
 * {@link Websocket#broadcast(String)} (bounded in time and memory; gone members are pruned).
 */
public final class Group {

  private final Websocket websocket;
  private final SocketName socket;
  private final GroupName name;
  private final ConnectionGroups groups;
  private final Broadcaster broadcaster;

  Group(Websocket websocket, GroupName name, ConnectionGroups groups, Broadcaster broadcaster) {
    this.websocket = websocket;
    this.socket = websocket.name();
    this.name = name;
    this.groups = groups;
    this.broadcaster = broadcaster;
  }

  /** The group's name (for a user's group, {@link GroupName#isUser()} holds and the name is the user id). */
  public GroupName name() {
    return name;
  }

  /**
   * Adds the connection {@code id}; {@code true} when it is a member afterwards, {@code false}
   * when the socket has no such connection (it never connected, or has gone).
   */
  public CompletionStage<Boolean> join(ConnectionId id) {
    return websocket.handOut(groups.join(socket, name, requireNonNull(id, "id")));
  }

  /** Removes the connection {@code id}; {@code true} if it was a member. */
  public CompletionStage<Boolean> leave(ConnectionId id) {
    return websocket.handOut(groups.leave(socket, name, requireNonNull(id, "id")));
  }

  /** How many connections are members (for a user: how many connections the user has open). */
  public CompletionStage<Long> count() {
    return websocket.handOut(groups.countMembers(socket, name));
  }

  /** Whether the group has a member at all: for a user's group, whether the user is online. */
  public CompletionStage<Boolean> hasMembers() {
    return count().thenApply(n -> n > 0);
  }

  /**
   * Hands the members' ids to {@code onPage}, at most {@code pageSize} at a time, reading the next
   * page only once the stage {@code onPage} returned has completed; completes with how many were
   * delivered.
   */
  public CompletionStage<Long> members(int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    return websocket.handOut(groups.scanMembers(socket, name, pageSize, websocket.onCallbacks(onPage)));
  }

  /** Sends {@code text} as UTF-8 to every member. */
  public CompletionStage<BroadcastReport> broadcast(String text) {
    return broadcastExcept(null, text);
  }

  /** Sends {@code data} to every member. */
  public CompletionStage<BroadcastReport> broadcast(byte[] data) {
    return broadcastExcept(null, data);
  }

  /** Sends {@code text} as UTF-8 to every member but {@code except} (null: none skipped). */
  public CompletionStage<BroadcastReport> broadcastExcept(ConnectionId except, String text) {
    return send(Websocket.utf8(text), except);
  }

  /** Sends {@code data} to every member but {@code except} (null: none skipped). */
  public CompletionStage<BroadcastReport> broadcastExcept(ConnectionId except, byte[] data) {
    return send(requireNonNull(data, "data").clone(), except);
  }

  /**
   * Sends {@code value} written as JSON (once) by the app's {@link JsonMapper} to every member.
   *
   * @throws IllegalStateException if the app has no {@link JsonMapper}
   * @throws IllegalArgumentException if the mapper cannot write {@code value}
   */
  public CompletionStage<BroadcastReport> broadcastJson(Object value) {
    return broadcastJsonExcept(null, value);
  }

  /** As {@link #broadcastJson(Object)}, to every member but {@code except} (null: none skipped). */
  public CompletionStage<BroadcastReport> broadcastJsonExcept(ConnectionId except, Object value) {
    return send(websocket.toJson(value), except);
  }

  /** Sends {@code frozen}, which nobody changes afterwards, to the members but {@code except}. */
  CompletionStage<BroadcastReport> send(byte[] frozen, ConnectionId except) {
    return websocket.handOut(broadcaster.broadcast(socket,
        (size, onPage) -> groups.scanMembers(socket, name, size, onPage), frozen, except));
  }

  @Override
  public String toString() {
    return name + " of socket '" + socket + "'";
  }
}
