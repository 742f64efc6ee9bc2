package dev.nitricws.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;

/** A small sorted registry for the domain's own tests (the reference store lives in adapters-memory). */
final class TestRegistry implements ConnectionRegistry {

  private final Map<SocketName, NavigableMap<ConnectionId, Connection>> sockets = new ConcurrentHashMap<>();

  private NavigableMap<ConnectionId, Connection> of(SocketName socket) {
    return sockets.computeIfAbsent(socket, s -> new ConcurrentSkipListMap<>());
  }

  @Override
  public CompletionStage<Void> register(Connection connection) {
    of(connection.socket()).put(connection.id(), connection);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    return CompletableFuture.completedFuture(of(socket).remove(id) != null);
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    return CompletableFuture.completedFuture(Optional.ofNullable(of(socket).get(id)));
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    return CompletableFuture.completedFuture((long) of(socket).size());
  }

  @Override
  public CompletionStage<Long> scan(SocketName socket, int pageSize,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    Instant now = Instant.now();
    return Pages.drive(onPage, after -> {
      NavigableMap<ConnectionId, Connection> rest = after == null ? of(socket) : of(socket).tailMap(after, false);
      List<ConnectionId> page = new ArrayList<>();
      for (Connection c : rest.values()) {
        if (page.size() == pageSize) {
          return CompletableFuture.completedFuture(Pages.more(page));
        }
        if (!c.isExpiredAt(now)) {
          page.add(c.id());
        }
      }
      return CompletableFuture.completedFuture(Pages.last(page));
    });
  }
}
