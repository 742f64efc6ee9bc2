package dev.nitricws.bench;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.adapters.nitric.NitricResources;
import dev.nitricws.adapters.nitric.kv.NitricKvConnectionRegistry;
import dev.nitricws.adapters.postgres.PostgresConnectionRegistry;
import dev.nitricws.adapters.postgres.PostgresRegistryConfig;
import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketName;
import dev.nitricws.runtime.LocalRuntime;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/**
 * Where each store under test lives.
 *
 * <ul>
 *   <li>{@code memory}: {@link InMemoryConnectionRegistry} in the benchmark's JVM.
 *   <li>{@code redis}: {@link RedisConnectionRegistry} on {@code NITRICWS_REDIS_URL} (default
 *       {@value #DEFAULT_REDIS_URL}), default key prefix; sockets are fresh random names, and their
 *       three keys are deleted afterwards.
 *   <li>{@code postgres}: {@link PostgresConnectionRegistry} on {@code NITRICWS_POSTGRES_URL}
 *       (default {@value #DEFAULT_POSTGRES_URL}) in the schema {@code NITRICWS_BENCH_PG_SCHEMA}
 *       when set (created by the registry's own migrations, kept), else in a fresh schema of its
 *       own that is dropped at the end; a pool of one connection per caller.
 *   <li>{@code nitric}: {@link NitricKvConnectionRegistry} over a real gRPC channel to the
 *       KvStore of a {@link LocalRuntime} started in this JVM on a loopback port (in memory, gone
 *       with the JVM).
 * </ul>
 */
final class Stores {

  static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  static final String DEFAULT_POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /** Set-up calls in flight at once while filling a socket through a registry. */
  private static final int FILL_WINDOW = 256;

  private Stores() {}

  static String redisUrl() {
    return env("NITRICWS_REDIS_URL", DEFAULT_REDIS_URL);
  }

  static String postgresUrl() {
    return env("NITRICWS_POSTGRES_URL", DEFAULT_POSTGRES_URL);
  }

  private static String env(String name, String otherwise) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? otherwise : value;
  }

  static BenchStore open(String name, int callers) {
    switch (name) {
      case "memory":
        return new Memory();
      case "redis":
        return new Redis();
      case "postgres":
        return new Postgres(callers);
      case "nitric":
        return new Nitric();
      default:
        throw new IllegalArgumentException("no store called '" + name + "'; known: " + String.join(", ", BenchStore.NAMES));
    }
  }

  /** Fills through the registry itself, {@value #FILL_WINDOW} calls in flight. */
  static void fillThrough(ConnectionRegistry registry, SocketName socket, long from, long count) {
    Window.run(count, FILL_WINDOW, i -> registry.register(Fixtures.connection(socket, Fixtures.id(from + i))));
  }

  // ------------------------------------------------------------------------------------ memory

  static final class Memory implements BenchStore {
    private final Map<SocketName, InMemoryConnectionRegistry> sockets = new ConcurrentHashMap<>();

    @Override
    public String name() {
      return "memory";
    }

    @Override
    public ConnectionRegistry registry(SocketName socket) {
      return sockets.computeIfAbsent(socket, s -> new InMemoryConnectionRegistry());
    }

    /** On every core: a register here completes before it returns, so a window would run one at a time. */
    @Override
    public void fill(SocketName socket, long from, long count) {
      ConnectionRegistry registry = registry(socket);
      LongStream.range(from, from + count).parallel()
          .forEach(n -> registry.register(Fixtures.connection(socket, Fixtures.id(n))).toCompletableFuture().join());
    }

    @Override
    public void drop(SocketName socket) {
      sockets.remove(socket);
    }

    @Override
    public void close() {
      sockets.clear();
    }
  }

  // ------------------------------------------------------------------------------------ redis

  static final class Redis implements BenchStore {
    private final String url = redisUrl();
    private final RedisConnectionRegistry registry = RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(url));

    @Override
    public String name() {
      return "redis";
    }

    @Override
    public ConnectionRegistry registry(SocketName socket) {
      return registry;
    }

    /**
     * Registers the first connection through the registry, then copies its entry under the other
     * ids inside Redis ({@link #COPY}, {@value #COPY_BATCH} ids a call): entries exactly as the
     * registry writes them, without a round trip each.
     */
    @Override
    public void fill(SocketName socket, long from, long count) {
      if (count <= 0) {
        return;
      }
      registry.register(Fixtures.connection(socket, Fixtures.id(from))).toCompletableFuture().join();
      String[] keys = keys(socket);
      try (Resp redis = Resp.connect(url)) {
        for (long at = from + 1; at < from + count; at += COPY_BATCH) {
          long last = Math.min(from + count - 1, at + COPY_BATCH - 1);
          redis.call("EVAL", COPY, "3", keys[0], keys[1], keys[2],
              Fixtures.id(from).value(), Long.toString(at), Long.toString(last));
        }
      }
    }

    /** Ids copied per call of {@link #COPY}: a few milliseconds of the server's time. */
    static final int COPY_BATCH = 5_000;

    /** ARGV: template id, first and last number: copies the template's entry under each id. */
    static final String COPY = """
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        local value = redis.call('HGET', KEYS[3], ARGV[1])
        for n = tonumber(ARGV[2]), tonumber(ARGV[3]) do
          local id = string.format('%012d', n)
          redis.call('ZADD', KEYS[1], score, id)
          redis.call('ZADD', KEYS[2], 0, id)
          redis.call('HSET', KEYS[3], id, value)
        end
        return 0
        """;

    /** The socket's three keys, as the adapter names them (see adapters-redis/README.md). */
    static String[] keys(SocketName socket) {
      String base = RedisRegistryConfig.DEFAULT_KEY_PREFIX + "{" + socket.value() + "}:";
      return new String[] {base + "exp", base + "ids", base + "data"};
    }

    @Override
    public void drop(SocketName socket) {
      try (Resp redis = Resp.connect(url)) {
        String[] keys = keys(socket);
        redis.call("UNLINK", keys[0], keys[1], keys[2]);
      }
    }

    @Override
    public void close() {
      registry.close();
    }
  }

  // ------------------------------------------------------------------------------------ postgres

  static final class Postgres implements BenchStore {
    private final String url = postgresUrl();
    private final String schema;
    private final boolean ownSchema;
    private final PostgresConnectionRegistry registry;

    Postgres(int callers) {
      String given = System.getenv("NITRICWS_BENCH_PG_SCHEMA");
      ownSchema = given == null || given.isBlank();
      schema = ownSchema ? "nwsbench_" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE) : given;
      registry = PostgresConnectionRegistry.start(PostgresRegistryConfig.builder().jdbcUrl(url)
          .schema(schema)
          .poolSize(Math.max(1, Math.min(callers, PostgresRegistryConfig.MAX_POOL_SIZE)))
          .build());
    }

    @Override
    public String name() {
      return "postgres";
    }

    @Override
    public ConnectionRegistry registry(SocketName socket) {
      return registry;
    }

    /** The table the registry's migrations made, schema-qualified and quoted as the adapter does. */
    String table() {
      return "\"" + schema + "\".connections";
    }

    /**
     * One INSERT of the whole range (generate_series), rows as the registry writes them: the same
     * JSON, times and ids, at a small fraction of the time a register per row takes.
     */
    @Override
    public void fill(SocketName socket, long from, long count) {
      Connection like = Fixtures.connection(socket, Fixtures.id(0));
      String sql = "INSERT INTO " + table() + " (socket, connection_id, attributes, query, connected_at, expires_at)"
          + " SELECT ?, lpad(n::text, 12, '0'), CAST(? AS jsonb), CAST(? AS jsonb), ?, ?"
          + " FROM generate_series(?::bigint, ?::bigint) AS n"
          + " ON CONFLICT (socket, connection_id) DO UPDATE SET expires_at = EXCLUDED.expires_at";
      try (java.sql.Connection c = DriverManager.getConnection(url);
           PreparedStatement insert = c.prepareStatement(sql)) {
        insert.setString(1, socket.value());
        insert.setString(2, Fixtures.ATTRIBUTES_JSON);
        insert.setString(3, Fixtures.QUERY_JSON);
        insert.setObject(4, like.connectedAt().atOffset(ZoneOffset.UTC));
        insert.setObject(5, like.expiresAt().atOffset(ZoneOffset.UTC));
        insert.setLong(6, from);
        insert.setLong(7, from + count - 1);
        insert.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("filling socket " + socket + " in " + table() + " failed: " + e.getMessage(), e);
      }
    }

    @Override
    public void drop(SocketName socket) {
      try (java.sql.Connection c = DriverManager.getConnection(url);
           PreparedStatement delete = c.prepareStatement("DELETE FROM " + table() + " WHERE socket = ?")) {
        delete.setString(1, socket.value());
        delete.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("deleting socket " + socket + " from " + table() + " failed: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      registry.close();
      if (ownSchema) {
        try (java.sql.Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        } catch (SQLException e) {
          throw new IllegalStateException("dropping schema " + schema + " failed: " + e.getMessage(), e);
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------ nitric

  static final class Nitric implements BenchStore {
    private final LocalRuntime runtime;
    private final ManagedChannel channel;
    private final NitricKvConnectionRegistry registry;

    Nitric() {
      runtime = LocalRuntime.builder().bindHost("127.0.0.1").grpcPort(0).firstWebsocketPort(0).build().start();
      channel = Grpc.newChannelBuilderForAddress("127.0.0.1", runtime.grpcPort(), InsecureChannelCredentials.create()).build();
      // as an app does at start-up: declare the store and the right to use it
      new NitricResources(channel).declareKeyValueStore(NitricKvConnectionRegistry.DEFAULT_STORE)
          .toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
      registry = NitricKvConnectionRegistry.create(channel);
    }

    @Override
    public String name() {
      return "nitric";
    }

    @Override
    public ConnectionRegistry registry(SocketName socket) {
      return registry;
    }

    @Override
    public void fill(SocketName socket, long from, long count) {
      fillThrough(registry, socket, from, count);
    }

    /**
     * Nothing: the runtime's store lives in this JVM and goes with it at the end of the trial, and
     * removing a socket call by call would take longer than the benchmark (a register or an
     * unregister is several KvStore calls in turn).
     */
    @Override
    public void drop(SocketName socket) {}

    @Override
    public void close() {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      runtime.close();
    }
  }
}
