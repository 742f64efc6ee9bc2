package dev.nitricws.adapters.redis;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.Pages;
import dev.nitricws.domain.SocketName;
import io.lettuce.core.ScriptOutputType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ConnectionRegistry} on Redis, standalone or Redis Cluster, fully asynchronous on one
 * shared Lettuce connection. Each socket has three keys in one hash slot ({@code <prefix>{<socket>}:exp},
 * {@code :ids}, {@code :data}); changes and pages run as Lua scripts, so each is atomic. Expiry is
 * judged by the clock given at {@link #connect}; expired entries are never returned and are removed
 * as registers, counts and scans meet them. See the module README for the layout.
 *
 * <p>Stages complete on Lettuce's I/O threads: dependent actions must not block (use the
 * {@code *Async} variants with an executor of your own for slow work). Thread-safe; close it once
 * when done.
 */
public final class RedisConnectionRegistry implements ConnectionRegistry, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisConnectionRegistry.class);

  /** How many ids one page script may look at beyond the page size (expired ones it removes). */
  private static final int PAGE_BUDGET = 2_000;

  /** Entries that live longer than this leave their socket's keys without a TTL (Redis caps TTLs). */
  private static final long MAX_KEY_LIFE_MILLIS = Duration.ofDays(36_525).toMillis();

  private final RedisLink link;
  private final Clock clock;
  private final String keyPrefix;

  private RedisConnectionRegistry(RedisLink link, Clock clock, String keyPrefix) {
    this.link = link;
    this.clock = clock;
    this.keyPrefix = keyPrefix;
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
    String[] keys = keys(connection.socket());
    long now = clock.millis();
    long expires = RedisConnectionCodec.millis(connection.expiresAt());
    long life = expires - now;
    if (((expires ^ now) & (expires ^ life)) < 0) {
      life = expires > now ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    String encoded = RedisConnectionCodec.encode(connection);
    String id = connection.id().value();
    String lifeText = life > MAX_KEY_LIFE_MILLIS ? "persist" : Long.toString(life);
    return link.call(what("register", connection.socket()),
        c -> RedisLink.<Long>eval(c, Scripts.REGISTER, ScriptOutputType.INTEGER, keys,
            id, Long.toString(expires), Long.toString(now), encoded, lifeText),
        done -> null);
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    checkOpen();
    String[] keys = keys(socket);
    String now = Long.toString(clock.millis());
    return link.call(what("unregister", socket),
        c -> RedisLink.<Long>eval(c, Scripts.UNREGISTER, ScriptOutputType.INTEGER, keys, id.value(), now),
        removed -> removed != null && removed == 1L);
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    checkOpen();
    String data = keys(socket)[2];
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
    String[] keys = keys(socket);
    String now = Long.toString(clock.millis());
    return link.call(what("count", socket),
        c -> RedisLink.<Long>eval(c, Scripts.COUNT, ScriptOutputType.INTEGER, keys, now),
        n -> n);
  }

  @Override
  public CompletionStage<Long> scan(
      SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    checkOpen();
    String[] keys = keys(socket);
    return Pages.drive(onPage, after -> {
      CompletableFuture<Pages.Page> page = new CompletableFuture<>();
      fetch(socket, keys, after == null ? "-" : "(" + after.value(), pageSize, page);
      return page;
    });
  }

  /**
   * Fetches the next page of unexpired ids from {@code from} (a ZRANGEBYLEX bound) into {@code
   * page}; goes on by itself when a run of expired ids used up one script's budget.
   */
  private void fetch(SocketName socket, String[] keys, String from, int pageSize, CompletableFuture<Pages.Page> page) {
    String now = Long.toString(clock.millis());
    link.call(what("scan", socket),
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
                LOG.warn("socket '{}' holds an id that is not a connection id, skipped: {}", socket, e.getMessage());
              }
            }
            if (ids.isEmpty() && more) {
              fetch(socket, keys, "(" + last, pageSize, page);
            } else {
              page.complete(new Pages.Page(ids, more));
            }
          } catch (RuntimeException e) {
            page.completeExceptionally(link.translate(what("scan", socket), e));
          }
        });
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

  /** The keys of {@code socket}: expiry ZSET, id ZSET, data HASH, all in the slot of the socket. */
  private String[] keys(SocketName socket) {
    String base = keyPrefix + "{" + socket.value() + "}:";
    return new String[] {base + "exp", base + "ids", base + "data"};
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
