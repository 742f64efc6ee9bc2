package dev.nitricws.adapters.redis;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.Pages;
import dev.nitricws.domain.SocketName;
import io.lettuce.core.ScriptOutputType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ConnectionRegistry} and {@link ConnectionGroups} on Redis, standalone or Redis
 * Cluster, fully asynchronous on one shared Lettuce connection. Each socket has three keys in one
 * hash slot ({@code <prefix>{<socket>}:exp}, {@code :ids}, {@code :data}); changes and pages run as
 * Lua scripts, so each is atomic. Expiry is judged by the clock given at {@link #connect}; expired
 * entries are never returned and are removed as registers, counts and scans meet them.
 *
 * <p>Each group's members are kept like a socket's entries, in two ZSETs of the group's own hash
 * slot, scored by the expiry of the entry they joined under; each connection's groups are recorded
 * beside its entry, in the socket's slot. A join records the group on the connection's side (only
 * if its entry is live), adds the member, then checks the record is still there and takes the
 * member back if not; an unregister deletes the entry and the record in one script, then removes
 * the member from each recorded group. So a join racing an unregister never leaves a member
 * behind. See the module README for the layout.
 *
 * <p>Stages complete on Lettuce's I/O threads: dependent actions must not block (use the
 * {@code *Async} variants with an executor of your own for slow work). Thread-safe; close it once
 * when done.
 */
public final class RedisConnectionRegistry implements ConnectionRegistry, ConnectionGroups, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisConnectionRegistry.class);

  /** How many ids one page script may look at beyond the page size (expired ones it removes). */
  private static final int PAGE_BUDGET = 2_000;

  /** Entries that live longer than this leave their keys without a TTL (Redis caps TTLs). */
  private static final String MAX_KEY_LIFE_MILLIS = Long.toString(Duration.ofDays(36_525).toMillis());

  private final RedisLink link;
  private final Clock clock;
  private final String keyPrefix;
  private final RedisKeys keys;

  private RedisConnectionRegistry(RedisLink link, Clock clock, String keyPrefix) {
    this.link = link;
    this.clock = clock;
    this.keyPrefix = keyPrefix;
    this.keys = new RedisKeys(keyPrefix);
  }

  /** A registry on the server of {@code config}, judging expiry by the system clock (UTC). */
  public static RedisConnectionRegistry connect(RedisRegistryConfig config) {
    return connect(config, Clock.systemUTC());
  }

  /**
   * A registry on the server of {@code config}, judging expiry by {@code clock}. Does not block:
   * the connection is opened in the background, and while the server cannot be reached the
   * registry's stages fail with a {@link dev.nitricws.domain.ConnectionStoreException} and it
   * tries again (at most once a second). Lettuce reconnects by itself after a connection is lost.
   */
  public static RedisConnectionRegistry connect(RedisRegistryConfig config, Clock clock) {
    requireNonNull(config, "config");
    requireNonNull(clock, "clock");
    return new RedisConnectionRegistry(new RedisLink(config), clock, config.keyPrefix());
  }

  @Override
  public CompletionStage<Void> register(Connection connection) {
    requireNonNull(connection, "connection");
    checkOpen();
    String[] socketKeys = keys.socket(connection.socket());
    String now = Long.toString(clock.millis());
    String expires = Long.toString(RedisConnectionCodec.millis(connection.expiresAt()));
    String encoded = RedisConnectionCodec.encode(connection);
    String id = connection.id().value();
    return link.call(what("register", connection.socket()),
        c -> RedisLink.<Long>eval(c, Scripts.REGISTER, ScriptOutputType.INTEGER, socketKeys,
            id, expires, now, encoded, MAX_KEY_LIFE_MILLIS),
        done -> null);
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    checkOpen();
    String[] socketKeys = keys.socket(socket);
    String[] scriptKeys = {socketKeys[0], socketKeys[1], socketKeys[2], keys.groupsOf(socket, id)};
    String now = Long.toString(clock.millis());
    String what = what("unregister", socket);
    return link.call(what,
        c -> RedisLink.<List<Object>>eval(c, Scripts.UNREGISTER, ScriptOutputType.MULTI, scriptKeys, id.value(), now),
        reply -> new Unregistered(((Long) reply.get(0)) == 1L, strings(reply.get(1))))
        .thenCompose(removed -> removed.groups().isEmpty()
            ? CompletableFuture.completedFuture(removed.live())
            : removeFromGroups(what, socket, id, removed.groups()).thenApply(done -> removed.live()));
  }

  /** What the unregister script answered: whether the entry was live, and the groups it had joined. */
  private record Unregistered(boolean live, List<String> groups) {}

  /** Removes {@code id} from each of {@code groupKeys}, all at once (each group is in its own slot). */
  private CompletableFuture<Void> removeFromGroups(String what, SocketName socket, ConnectionId id, List<String> groupKeys) {
    CompletableFuture<?>[] removals = new CompletableFuture<?>[groupKeys.size()];
    for (int i = 0; i < removals.length; i++) {
      String[] memberKeys = keys.group(socket, groupKeys.get(i));
      removals[i] = link.call(what,
          c -> RedisLink.<Long>eval(c, Scripts.REMOVE_MEMBER, ScriptOutputType.INTEGER, memberKeys, id.value(), ""),
          removed -> removed).toCompletableFuture();
    }
    return CompletableFuture.allOf(removals);
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    checkOpen();
    String data = keys.socket(socket)[2];
    return link.call(what("find", socket),
        c -> c.hget(data, id.value()),
        encoded -> {
          if (encoded == null) {
            return Optional.<Connection>empty();
          }
          Connection found = RedisConnectionCodec.decode(socket, id, encoded);
          // a plain read: the expired entry is removed by the next register, count or scan
          return found.isExpiredAt(clock.instant()) ? Optional.<Connection>empty() : Optional.of(found);
        });
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    requireNonNull(socket, "socket");
    checkOpen();
    return count(what("count", socket), keys.socket(socket));
  }

  /** Purges expired entries of a socket's or a group's keys and counts the rest (ZCOUNT). */
  private CompletionStage<Long> count(String what, String[] zsets) {
    String now = Long.toString(clock.millis());
    return link.call(what,
        c -> RedisLink.<Long>eval(c, Scripts.COUNT, ScriptOutputType.INTEGER, zsets, now),
        n -> n);
  }

  @Override
  public CompletionStage<Long> scan(
      SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    checkOpen();
    return scan(what("scan", socket), keys.socket(socket), pageSize, onPage);
  }

  /** Keyset paging over a socket's or a group's keys ({@link Scripts#PAGE}), one page at a time. */
  private CompletionStage<Long> scan(
      String what, String[] zsets, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    return Pages.drive(onPage, after -> {
      CompletableFuture<Pages.Page> page = new CompletableFuture<>();
      fetch(what, zsets, after == null ? "-" : "(" + after.value(), pageSize, page);
      return page;
    });
  }

  /**
   * Fetches the next page of unexpired ids from {@code from} (a ZRANGEBYLEX bound) into {@code
   * page}; goes on by itself when a run of expired ids used up one script's budget.
   */
  private void fetch(String what, String[] keys, String from, int pageSize, CompletableFuture<Pages.Page> page) {
    String now = Long.toString(clock.millis());
    link.call(what,
        c -> RedisLink.<List<Object>>eval(c, Scripts.PAGE, ScriptOutputType.MULTI, keys,
            from, Integer.toString(pageSize), now, Integer.toString(pageSize + PAGE_BUDGET)),
        reply -> reply)
        .whenComplete((reply, error) -> {
          if (error != null) {
            page.completeExceptionally(error);
            return;
          }
          try {
            boolean more = ((Long) reply.get(0)) == 1L;
            String last = (String) reply.get(1);
            List<?> raw = (List<?>) reply.get(2);
            List<ConnectionId> ids = new ArrayList<>(raw.size());
            for (Object o : raw) {
              String value = (String) o;
              try {
                ids.add(ConnectionId.of(value));
              } catch (IllegalArgumentException e) {
                // not written by this adapter: leave it out rather than fail every broadcast
                LOG.warn("{} met an id that is not a connection id, skipped: {}", what, e.getMessage());
              }
            }
            if (ids.isEmpty() && more) {
              fetch(what, keys, "(" + last, pageSize, page);
            } else {
              page.complete(new Pages.Page(ids, more));
            }
          } catch (RuntimeException e) {
            page.completeExceptionally(link.translate(what, e));
          }
        });
  }

  // ------------------------------------------------------------------------------------ groups

  @Override
  public CompletionStage<Boolean> join(SocketName socket, GroupName group, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
    requireNonNull(id, "id");
    checkOpen();
    String what = what("join to " + group, socket);
    String groupsOf = keys.groupsOf(socket, id);
    String[] recordKeys = {keys.socket(socket)[0], groupsOf};
    String[] memberKeys = keys.group(socket, group.key());
    String now = Long.toString(clock.millis());
    return link.call(what,
        c -> RedisLink.<String>eval(c, Scripts.JOIN, ScriptOutputType.VALUE, recordKeys,
            id.value(), group.key(), now, MAX_KEY_LIFE_MILLIS),
        score -> score)
        .thenCompose(score -> score == null
            ? CompletableFuture.completedFuture(false)
            : link.call(what,
                c -> RedisLink.<Long>eval(c, Scripts.ADD_MEMBER, ScriptOutputType.INTEGER, memberKeys,
                    id.value(), score, now, MAX_KEY_LIFE_MILLIS),
                added -> added)
                // an unregister (or a leave) may have removed the record meanwhile, and the member
                // it removed may be the one just added: take it back then
                .thenCompose(added -> link.call(what, c -> c.zscore(groupsOf, group.key()),
                    recorded -> recorded != null && recorded == Double.parseDouble(score)))
                .thenCompose(recorded -> recorded
                    ? CompletableFuture.completedFuture(true)
                    : link.call(what,
                        c -> RedisLink.<Long>eval(c, Scripts.REMOVE_MEMBER, ScriptOutputType.INTEGER, memberKeys,
                            id.value(), score),
                        undone -> false)));
  }

  @Override
  public CompletionStage<Boolean> leave(SocketName socket, GroupName group, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
    requireNonNull(id, "id");
    checkOpen();
    String what = what("leave of " + group, socket);
    String[] recordKeys = {keys.groupsOf(socket, id)};
    String[] memberKeys = keys.group(socket, group.key());
    long now = clock.millis();
    return link.call(what,
        c -> RedisLink.<String>eval(c, Scripts.LEAVE, ScriptOutputType.VALUE, recordKeys, group.key()),
        score -> score)
        // the member goes even without a record, so one left behind by a failed call goes too
        .thenCompose(score -> link.call(what,
            c -> RedisLink.<Long>eval(c, Scripts.REMOVE_MEMBER, ScriptOutputType.INTEGER, memberKeys, id.value(), ""),
            removed -> score != null && Double.parseDouble(score) > now));
  }

  @Override
  public CompletionStage<Set<GroupName>> groupsOf(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    checkOpen();
    String what = what("groups of a connection", socket);
    String[] recordKeys = {keys.socket(socket)[0], keys.groupsOf(socket, id)};
    String now = Long.toString(clock.millis());
    return link.call(what,
        c -> RedisLink.<List<Object>>eval(c, Scripts.GROUPS, ScriptOutputType.MULTI, recordKeys, id.value(), now),
        reply -> {
          Set<GroupName> groups = new HashSet<>();
          for (String key : strings(reply)) {
            try {
              groups.add(new GroupName(key));
            } catch (IllegalArgumentException e) {
              // not written by this adapter: leave it out rather than fail
              LOG.warn("{} met a key that is not a group, skipped: {}", what, e.getMessage());
            }
          }
          return Set.copyOf(groups);
        });
  }

  @Override
  public CompletionStage<Long> countMembers(SocketName socket, GroupName group) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
    checkOpen();
    return count(what("count of " + group, socket), keys.group(socket, group.key()));
  }

  @Override
  public CompletionStage<Long> scanMembers(
      SocketName socket, GroupName group, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    requireNonNull(group, "group");
    checkOpen();
    return scan(what("scan of " + group, socket), keys.group(socket, group.key()), pageSize, onPage);
  }

  /** Closes the connection and the client's threads; the stage completes when they are gone. */
  public CompletionStage<Void> closeAsync() {
    return link.closeAsync();
  }

  /** Closes the connection and the client's threads, waiting (a few seconds at most) for them. */
  @Override
  public void close() {
    closeAsync().toCompletableFuture().join();
  }

  @Override
  public String toString() {
    return "RedisConnectionRegistry[" + link.where() + ", key prefix '" + keyPrefix + "']";
  }

  /** The texts of a script's array reply. */
  private static List<String> strings(Object reply) {
    List<?> raw = (List<?>) reply;
    List<String> out = new ArrayList<>(raw.size());
    for (Object o : raw) {
      out.add((String) o);
    }
    return out;
  }

  private static String what(String operation, SocketName socket) {
    return operation + " on socket '" + socket.value() + "'";
  }

  private void checkOpen() {
    if (link.isClosed()) {
      throw new IllegalStateException("the Redis connection registry on " + link.where() + " is closed");
    }
  }
}
