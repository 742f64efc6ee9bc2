package dev.nitricws.adapters.memory;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.Pages;
import dev.nitricws.domain.SocketName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;

/**
 * The reference {@link ConnectionRegistry} and {@link ConnectionGroups}: connections held in this
 * process's memory, sorted by id per socket, and each group's members likewise. Thread-safe;
 * every stage it returns is already complete. Good for one app instance and for tests; lost when
 * the process ends.
 *
 * <p>A connection's memberships are changed only inside one atomic step per connection id (a
 * {@code compute} on its set of groups), so a join racing an unregister never leaves a member
 * behind. A member keeps the entry it joined under, and expires with it.
 */
public final class InMemoryConnectionRegistry implements ConnectionRegistry, ConnectionGroups {

  private final ConcurrentHashMap<SocketName, Sockets> sockets = new ConcurrentHashMap<>();
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
    sockets.computeIfAbsent(connection.socket(), s -> new Sockets()).connections.put(connection.id(), connection);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    Sockets state = sockets.get(socket);
    Connection[] removed = new Connection[1];
    if (state != null) {
      state.groupsOf.compute(id, (key, groups) -> {
        removed[0] = state.connections.remove(id);
        state.leaveAll(id, groups);
        return null;
      });
    }
    return CompletableFuture.completedFuture(removed[0] != null && !removed[0].isExpiredAt(clock.instant()));
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    Sockets state = sockets.get(socket);
    Connection found = state == null ? null : live(state.connections, state.connections.get(id));
    return CompletableFuture.completedFuture(Optional.ofNullable(found));
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    requireNonNull(socket, "socket");
    Sockets state = sockets.get(socket);
    return CompletableFuture.completedFuture(state == null ? 0L : countLive(state.connections));
  }

  @Override
  public CompletionStage<Long> scan(
      SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    Sockets state = sockets.get(socket);
    return state == null ? CompletableFuture.completedFuture(0L) : scan(state.connections, pageSize, onPage);
  }

  // ------------------------------------------------------------------------------------ groups

  @Override
  public CompletionStage<Boolean> join(SocketName socket, GroupName group, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
    requireNonNull(id, "id");
    Sockets state = sockets.get(socket);
    boolean[] joined = new boolean[1];
    if (state != null) {
      state.groupsOf.compute(id, (key, groups) -> {
        Connection connection = live(state.connections, state.connections.get(id));
        if (connection == null) {
          return groups;
        }
        Set<GroupName> more = groups == null ? ConcurrentHashMap.newKeySet() : groups;
        more.add(group);
        state.members.compute(group, (g, map) -> {
          ConcurrentSkipListMap<ConnectionId, Connection> joinedTo = map == null ? new ConcurrentSkipListMap<>() : map;
          joinedTo.put(id, connection);
          return joinedTo;
        });
        joined[0] = true;
        return more;
      });
    }
    return CompletableFuture.completedFuture(joined[0]);
  }

  @Override
  public CompletionStage<Boolean> leave(SocketName socket, GroupName group, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
    requireNonNull(id, "id");
    Sockets state = sockets.get(socket);
    boolean[] left = new boolean[1];
    if (state != null) {
      state.groupsOf.computeIfPresent(id, (key, groups) -> {
        groups.remove(group);
        ConcurrentSkipListMap<ConnectionId, Connection> members = state.members.get(group);
        Connection member = members == null ? null : members.remove(id);
        left[0] = member != null && !member.isExpiredAt(clock.instant());
        return groups.isEmpty() ? null : groups;
      });
    }
    return CompletableFuture.completedFuture(left[0]);
  }

  @Override
  public CompletionStage<Set<GroupName>> groupsOf(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    Sockets state = sockets.get(socket);
    Set<GroupName> groups = state == null ? null : state.groupsOf.get(id);
    if (groups == null) {
      return CompletableFuture.completedFuture(Set.of());
    }
    // a membership counts while the entry it joined under lives, as in every member read
    Set<GroupName> live = new HashSet<>();
    for (GroupName group : groups) {
      ConcurrentSkipListMap<ConnectionId, Connection> members = state.members.get(group);
      if (members != null && live(members, members.get(id)) != null) {
        live.add(group);
      }
    }
    return CompletableFuture.completedFuture(Set.copyOf(live));
  }

  @Override
  public CompletionStage<Long> countMembers(SocketName socket, GroupName group) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
    ConcurrentSkipListMap<ConnectionId, Connection> members = members(socket, group);
    return CompletableFuture.completedFuture(members == null ? 0L : countLive(members));
  }

  @Override
  public CompletionStage<Long> scanMembers(
      SocketName socket, GroupName group, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    requireNonNull(group, "group");
    ConcurrentSkipListMap<ConnectionId, Connection> members = members(socket, group);
    return members == null ? CompletableFuture.completedFuture(0L) : scan(members, pageSize, onPage);
  }

  // ----------------------------------------------------------------------------------- helpers

  private ConcurrentSkipListMap<ConnectionId, Connection> members(SocketName socket, GroupName group) {
    Sockets state = sockets.get(socket);
    return state == null ? null : state.members.get(group);
  }

  private long countLive(ConcurrentSkipListMap<ConnectionId, Connection> map) {
    long n = 0;
    for (Connection c : map.values()) {
      if (live(map, c) != null) {
        n++;
      }
    }
    return n;
  }

  /** Keyset paging over {@code map}: each page starts after the last id of the previous one. */
  private CompletionStage<Long> scan(ConcurrentSkipListMap<ConnectionId, Connection> map, int pageSize,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
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

  /** The connection if unexpired; an expired one is removed from {@code map} on the way. */
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

  /** One socket: its connections, each group's members, and each connection's groups. */
  private static final class Sockets {
    final ConcurrentSkipListMap<ConnectionId, Connection> connections = new ConcurrentSkipListMap<>();
    final ConcurrentHashMap<GroupName, ConcurrentSkipListMap<ConnectionId, Connection>> members =
        new ConcurrentHashMap<>();
    final ConcurrentHashMap<ConnectionId, Set<GroupName>> groupsOf = new ConcurrentHashMap<>();

    /** Removes {@code id} from each of {@code groups} (null: none), dropping groups left empty. */
    void leaveAll(ConnectionId id, Set<GroupName> groups) {
      if (groups == null) {
        return;
      }
      for (GroupName group : groups) {
        members.computeIfPresent(group, (g, map) -> {
          map.remove(id);
          return map.isEmpty() ? null : map;
        });
      }
    }
  }
}
