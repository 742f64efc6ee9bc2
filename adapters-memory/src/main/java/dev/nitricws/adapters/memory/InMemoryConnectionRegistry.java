package dev.nitricws.adapters.memory;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.Pages;
import dev.nitricws.domain.SocketName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;

/**
 * The reference {@link ConnectionRegistry}: connections held in this process's memory, sorted by
 * id per socket. Thread-safe and lock-free; every stage it returns is already complete. Good for
 * one app instance and for tests; lost when the process ends.
 */
public final class InMemoryConnectionRegistry implements ConnectionRegistry {

  private final ConcurrentHashMap<SocketName, ConcurrentSkipListMap<ConnectionId, Connection>> sockets =
      new ConcurrentHashMap<>();
  private final Clock clock;

  public InMemoryConnectionRegistry() {
    this(Clock.systemUTC());
  }

  /** A registry that judges expiry by {@code clock}. */
  public InMemoryConnectionRegistry(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public CompletionStage<Void> register(Connection connection) {
    requireNonNull(connection, "connection");
    sockets.computeIfAbsent(connection.socket(), s -> new ConcurrentSkipListMap<>())
        .put(connection.id(), connection);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    ConcurrentSkipListMap<ConnectionId, Connection> map = sockets.get(socket);
    Connection removed = map == null ? null : map.remove(id);
    return CompletableFuture.completedFuture(removed != null && !removed.isExpiredAt(clock.instant()));
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    ConcurrentSkipListMap<ConnectionId, Connection> map = sockets.get(socket);
    Connection found = map == null ? null : live(map, map.get(id));
    return CompletableFuture.completedFuture(Optional.ofNullable(found));
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    requireNonNull(socket, "socket");
    ConcurrentSkipListMap<ConnectionId, Connection> map = sockets.get(socket);
    long n = 0;
    if (map != null) {
      for (Connection c : map.values()) {
        if (live(map, c) != null) {
          n++;
        }
      }
    }
    return CompletableFuture.completedFuture(n);
  }

  @Override
  public CompletionStage<Long> scan(
      SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    ConcurrentSkipListMap<ConnectionId, Connection> map = sockets.get(socket);
    if (map == null) {
      return CompletableFuture.completedFuture(0L);
    }
    // keyset paging: each page starts after the last id of the previous one
    return Pages.drive(onPage, after -> {
      Iterator<Connection> it = (after == null ? map : map.tailMap(after, false)).values().iterator();
      List<ConnectionId> page = new ArrayList<>(Math.min(pageSize, 64));
      while (page.size() < pageSize && it.hasNext()) {
        Connection c = live(map, it.next());
        if (c != null) {
          page.add(c.id());
        }
      }
      return CompletableFuture.completedFuture(page.size() < pageSize ? Pages.last(page) : Pages.more(page));
    });
  }

  /** The connection if unexpired; an expired one is removed on the way. */
  private Connection live(ConcurrentSkipListMap<ConnectionId, Connection> map, Connection c) {
    if (c == null) {
      return null;
    }
    if (c.isExpiredAt(clock.instant())) {
      map.remove(c.id(), c);
      return null;
    }
    return c;
  }
}
