package dev.nitricws.ports;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.SocketName;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** A registry and its groups that pass every call to an in-memory store; tests override what they watch. */
class ForwardingRegistry implements ConnectionRegistry, ConnectionGroups {

  private final InMemoryConnectionRegistry inner;

  ForwardingRegistry(InMemoryConnectionRegistry inner) {
    this.inner = inner;
  }

  @Override
  public CompletionStage<Void> register(Connection connection) {
    return inner.register(connection);
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    return inner.unregister(socket, id);
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    return inner.find(socket, id);
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    return inner.count(socket);
  }

  @Override
  public CompletionStage<Long> scan(SocketName socket, int pageSize,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    return inner.scan(socket, pageSize, onPage);
  }

  @Override
  public CompletionStage<Boolean> join(SocketName socket, GroupName group, ConnectionId id) {
    return inner.join(socket, group, id);
  }

  @Override
  public CompletionStage<Boolean> leave(SocketName socket, GroupName group, ConnectionId id) {
    return inner.leave(socket, group, id);
  }

  @Override
  public CompletionStage<Set<GroupName>> groupsOf(SocketName socket, ConnectionId id) {
    return inner.groupsOf(socket, id);
  }

  @Override
  public CompletionStage<Long> countMembers(SocketName socket, GroupName group) {
    return inner.countMembers(socket, group);
  }

  @Override
  public CompletionStage<Long> scanMembers(SocketName socket, GroupName group, int pageSize,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    return inner.scanMembers(socket, group, pageSize, onPage);
  }
}
