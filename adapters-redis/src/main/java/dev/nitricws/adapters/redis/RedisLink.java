package dev.nitricws.adapters.redis;

import dev.nitricws.domain.ConnectionStoreException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Lettuce client and connection behind a {@link RedisConnectionRegistry}, standalone or
 * cluster: connects without blocking (and again, at most once a second, while the server cannot
 * be reached), runs commands and scripts (EVALSHA, EVAL when the server does not know the script),
 * and translates every Lettuce failure into a {@link ConnectionStoreException} whose message names
 * the server with its password masked. Thread-safe.
 */
final class RedisLink {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

  /** The shortest time between two connect attempts after one failed. */
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Commands queued while disconnected beyond this many fail at once instead of filling memory. */
  private static final int REQUEST_QUEUE_SIZE = 100_000;

  /** The connection and the commands on it. */
  private record Connected(StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> commands) {}

  private final String where;
  private final String kind;
  private final Duration timeout;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final Supplier<CompletionStage<Connected>> open;
  private final AtomicReference<CompletableFuture<Connected>> current = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> closing = new CompletableFuture<>();
  private volatile long failedAt;

  RedisLink(RedisRegistryConfig config) {
    RedisAddress address = config.address();
    this.where = address.masked();
    this.kind = config.cluster() ? "Redis Cluster" : "Redis";
    this.timeout = config.commandTimeout();
    this.resources = ClientResources.builder()
        // Lettuce's default backs off to 30s between reconnect attempts; a registry wants its
        // server back within a couple of seconds of it returning
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
        .build();
    SocketOptions socket = SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(timeout);
    List<RedisURI> uris = address.hosts().stream().map(h -> uri(address, h)).toList();
    if (config.cluster()) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
      cluster.setOptions(ClusterClientOptions.builder()
          .socketOptions(socket)
          .timeoutOptions(timeouts)
          .requestQueueSize(REQUEST_QUEUE_SIZE)
          // Lettuce 7 enables every adaptive trigger (MOVED, ASK, reconnects, ...) by default
          .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
              .enablePeriodicRefresh(Duration.ofMinutes(1))
              .build())
          .build());
      this.client = cluster;
      // an asynchronous connect needs the topology first: load it (again, after a failed attempt)
      this.open = () -> cluster.refreshPartitionsAsync()
          .thenCompose(loaded -> cluster.connectAsync(StringCodec.UTF8))
          .thenApply(c -> new Connected(c, c.async()));
    } else {
      RedisClient standalone = RedisClient.create(resources);
      standalone.setOptions(ClientOptions.builder()
          .socketOptions(socket)
          .timeoutOptions(timeouts)
          .requestQueueSize(REQUEST_QUEUE_SIZE)
          .build());
      RedisURI uri = uris.get(0);
      this.client = standalone;
      this.open = () -> standalone.connectAsync(StringCodec.UTF8, uri)
          .thenApply(c -> new Connected(c, c.async()));
    }
    LOG.info("Redis connection registry on {} {} (command timeout {}, key prefix '{}')",
        kind, where, human(timeout), config.keyPrefix());
    connected();
  }

  private RedisURI uri(RedisAddress address, RedisAddress.HostPort host) {
    RedisURI.Builder b = RedisURI.Builder.redis(host.host(), host.port())
        .withSsl(address.tls())
        .withDatabase(address.database())
        .withTimeout(timeout)
        .withClientName("nitric-ws");
    if (address.username() != null) {
      b.withAuthentication(address.username(), address.password());
    } else if (address.password() != null) {
      b.withPassword(address.password());
    }
    return b.build();
  }

  /** The server as logs and messages show it, password masked. */
  String where() {
    return where;
  }

  /** Whether {@link #closeAsync()} was called. */
  boolean isClosed() {
    return closed.get();
  }

  /**
   * Runs {@code command} on the connection (connecting first if need be) and maps its result with
   * {@code mapper}. The stage fails with a {@link ConnectionStoreException} for whatever goes
   * wrong, {@code what} (e.g. "register on socket 'chat'") naming the operation in its message.
   */
  <R, T> CompletionStage<T> call(String what, Function<RedisClusterAsyncCommands<String, String>, CompletionStage<R>> command,
      Function<R, T> mapper) {
    CompletableFuture<T> result = new CompletableFuture<>();
    connected().whenComplete((c, connectError) -> {
      if (connectError != null) {
        result.completeExceptionally(translate(what, connectError));
        return;
      }
      CompletionStage<R> stage;
      try {
        stage = command.apply(c.commands());
      } catch (RuntimeException e) {
        result.completeExceptionally(translate(what, e));
        return;
      }
      stage.whenComplete((value, error) -> {
        if (error != null) {
          result.completeExceptionally(translate(what, error));
          return;
        }
        T mapped;
        try {
          mapped = mapper.apply(value);
        } catch (RuntimeException e) {
          result.completeExceptionally(translate(what, e));
          return;
        }
        result.complete(mapped);
      });
    });
    return result;
  }

  /** Runs {@code script} by its digest, sending its text when the server does not have it yet. */
  static <T> CompletionStage<T> eval(RedisClusterAsyncCommands<String, String> commands, Scripts.Script script,
      ScriptOutputType type, String[] keys, String... args) {
    return commands.<T>evalsha(script.sha(), type, keys, args)
        .exceptionallyCompose(error -> {
          Throwable cause = unwrap(error);
          if (cause instanceof RedisNoScriptException
              || (cause instanceof RedisCommandExecutionException && String.valueOf(cause.getMessage()).startsWith("NOSCRIPT"))) {
            return commands.<T>eval(script.text(), type, keys, args);
          }
          return CompletableFuture.failedFuture(cause);
        });
  }

  private CompletableFuture<Connected> connected() {
    while (true) {
      CompletableFuture<Connected> now = current.get();
      if (now != null && (!now.isCompletedExceptionally() || System.nanoTime() - failedAt < RETRY_NANOS)) {
        return now;
      }
      CompletableFuture<Connected> next = new CompletableFuture<>();
      if (!current.compareAndSet(now, next)) {
        continue;
      }
      CompletionStage<Connected> attempt;
      try {
        attempt = open.get();
      } catch (RuntimeException e) {
        attempt = CompletableFuture.failedFuture(e);
      }
      attempt.whenComplete((c, error) -> {
        if (error != null) {
          Throwable cause = unwrap(error);
          failedAt = System.nanoTime();
          LOG.warn("{} at {} could not be reached (trying again on the next call, at most once a second): {}",
              kind, where, cause.toString());
          next.completeExceptionally(cause);
        } else if (closed.get()) {
          c.connection().closeAsync();
          next.completeExceptionally(new IllegalStateException("the Redis connection registry on " + where + " is closed"));
        } else {
          LOG.info("connected to {} at {}", kind, where);
          next.complete(c);
        }
      });
      return next;
    }
  }

  /** Closes the connection, then the client and its threads. Idempotent. */
  CompletionStage<Void> closeAsync() {
    if (!closed.compareAndSet(false, true)) {
      return closing;
    }
    CompletableFuture<Connected> now = current.get();
    CompletableFuture<Void> connectionClosed = now == null
        ? CompletableFuture.completedFuture(null)
        : now.handle((c, e) -> c).thenCompose(c -> c == null ? CompletableFuture.completedFuture(null) : c.connection().closeAsync());
    connectionClosed
        .handle((v, e) -> null)
        .thenCompose(v -> client.shutdownAsync(0, 2, TimeUnit.SECONDS))
        .handle((v, e) -> null)
        .thenCompose(v -> {
          CompletableFuture<Void> done = new CompletableFuture<>();
          resources.shutdown(0, 2, TimeUnit.SECONDS).addListener(f -> done.complete(null));
          return done;
        })
        .whenComplete((v, e) -> {
          LOG.info("Redis connection registry on {} closed", where);
          closing.complete(null);
        });
    return closing;
  }

  /** The store exception for {@code error}, naming the server (password masked) and the operation. */
  ConnectionStoreException translate(String what, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof ConnectionStoreException e) {
      return e;
    }
    String message;
    if (cause instanceof RedisCommandTimeoutException) {
      message = "Redis at " + where + " did not answer within " + human(timeout) + " (" + what + ")";
    } else if (cause instanceof RedisConnectionException) {
      message = "Redis at " + where + " could not be reached (" + what + "): " + cause.getMessage();
    } else if (cause instanceof RedisCommandExecutionException) {
      message = "Redis at " + where + " refused " + what + ": " + cause.getMessage();
    } else if (cause instanceof RedisException) {
      message = "Redis at " + where + " failed during " + what + ": " + cause.getMessage();
    } else if (cause instanceof IllegalStateException && closed.get()) {
      message = "the Redis connection registry on " + where + " is closed (" + what + ")";
    } else {
      message = "Redis at " + where + " returned what the registry cannot read (" + what + "): " + cause;
    }
    return new ConnectionStoreException(message, cause);
  }

  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** A duration as people write it: 5s, 1.5s, 250ms, 2m. */
  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms % 60_000 == 0) {
      return (ms / 60_000) + "m";
    }
    if (ms % 1000 == 0) {
      return (ms / 1000) + "s";
    }
    return (ms / 1000.0) + "s";
  }
}
