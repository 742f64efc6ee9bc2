package dev.nitricws.adapters.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.Pages;
import dev.nitricws.domain.SocketName;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.StatementContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConnectionRegistry} on a PostgreSQL table ({@code <schema>.connections}, one row per
 * socket and connection id), through a HikariCP pool and JDBI.
 *
 * <p>Every text is stored as it is: the domain refuses the only texts PostgreSQL cannot hold
 * (U+0000 and unpaired surrogates).
 *
 * <p>JDBC blocks, so every statement runs on the registry's own executor: as many threads as
 * pool connections and a bounded queue ({@link PostgresRegistryConfig#maxQueued()}); the caller's
 * thread only validates and encodes. Returned stages complete on those threads, so actions chained
 * to them must not block. When the queue is full an operation fails at once (its stage completes
 * exceptionally with a {@link ConnectionStoreException}) instead of piling up.
 *
 * <p>Expiry: every read filters {@code expires_at > now}, with {@code now} from the injected
 * {@link Clock} bound as a parameter; expired rows are deleted by {@code unregister}, overwritten
 * by {@code register}, and otherwise removed by a background purge every {@link
 * PostgresRegistryConfig#purgeInterval()} (batches of {@value #PURGE_BATCH}, oldest first, rows
 * locked by others skipped), or on demand by {@link #purgeExpired()}.
 *
 * <p>Create it with {@link #start}; {@link #close()} stops the executor and closes the pool.
 */
public final class PostgresConnectionRegistry implements ConnectionRegistry, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresConnectionRegistry.class);

  /** Where the schema migrations live on the class path. */
  public static final String MIGRATIONS = "classpath:db/migration/nitricws";
  /** Flyway's history table, in the registry's schema. */
  public static final String HISTORY_TABLE = "flyway_schema_history";
  /** Rows deleted per purge statement. */
  static final int PURGE_BATCH = 1_000;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final PostgresRegistryConfig config;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final Clock clock;
  private final Statements sql;
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService purgeTimer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean purging = new AtomicBoolean();

  private PostgresConnectionRegistry(PostgresRegistryConfig config, HikariDataSource dataSource, Jdbi jdbi, Clock clock) {
    this.config = config;
    this.dataSource = dataSource;
    this.jdbi = jdbi;
    this.clock = clock;
    this.sql = Statements.forSchema(config.schema());
    this.executor = new ThreadPoolExecutor(config.poolSize(), config.poolSize(), 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(config.maxQueued()), threads("nitricws-postgres-" + config.schema() + "-"),
        new ThreadPoolExecutor.AbortPolicy());
    this.executor.allowCoreThreadTimeOut(true);
    if (config.purgeInterval().isZero()) {
      this.purgeTimer = null;
    } else {
      long every = config.purgeInterval().toMillis();
      this.purgeTimer = Executors.newSingleThreadScheduledExecutor(threads("nitricws-postgres-purge-" + config.schema() + "-"));
      this.purgeTimer.scheduleWithFixedDelay(this::backgroundPurge, every, every, TimeUnit.MILLISECONDS);
    }
  }

  // ------------------------------------------------------------------------------- life cycle

  /** {@link #start(PostgresRegistryConfig, Clock)} with the system clock (UTC). */
  public static PostgresConnectionRegistry start(PostgresRegistryConfig config) {
    return start(config, Clock.systemUTC());
  }

  /**
   * Opens the pool, runs the schema migrations when {@link PostgresRegistryConfig#migrate()} is
   * set, checks that the table is there, and returns the running registry. Blocks while it does.
   *
   * @param clock judges expiry
   * @throws ConnectionStoreException when the database cannot be reached, the migrations fail or
   *     the table is missing; the message names the database (URL and schema) and the step
   */
  public static PostgresConnectionRegistry start(PostgresRegistryConfig config, Clock clock) {
    requireNonNull(config, "config");
    requireNonNull(clock, "clock");
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(hikari(config));
    } catch (RuntimeException e) {
      throw new ConnectionStoreException(where(config) + "cannot open a connection: " + reason(e), e);
    }
    try {
      if (config.migrate()) {
        migrate(config);
      }
      Jdbi jdbi = Jdbi.create(dataSource);
      checkReady(config, jdbi);
      PostgresConnectionRegistry registry = new PostgresConnectionRegistry(config, dataSource, jdbi, clock);
      LOG.info("postgres registry started on {} with {} connections, purge every {}",
          config.describe(), config.poolSize(), config.purgeInterval().isZero() ? "(never)" : config.purgeInterval());
      return registry;
    } catch (RuntimeException e) {
      dataSource.close();
      if (e instanceof ConnectionStoreException) {
        throw e;
      }
      throw new ConnectionStoreException(where(config) + "start failed: " + reason(e), e);
    }
  }

  /** The pool's settings: the URL as given (its parameters reach the driver and win over these), user, password, limits. */
  static HikariConfig hikari(PostgresRegistryConfig config) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("nitricws-postgres-" + config.schema());
    hikari.setJdbcUrl(config.jdbcUrl());
    if (config.user() != null) {
      hikari.setUsername(config.user());
    }
    if (config.password() != null) {
      hikari.setPassword(config.password());
    }
    hikari.setMaximumPoolSize(config.poolSize());
    long connectMillis = config.connectionTimeout().toMillis();
    hikari.setConnectionTimeout(connectMillis);
    hikari.setValidationTimeout(Math.max(250, Math.min(5_000, connectMillis - 1)));
    // the driver's own settings; a parameter in the URL wins over these
    hikari.addDataSourceProperty("ApplicationName", "nitric-ws");
    hikari.addDataSourceProperty("connectTimeout", Long.toString(ceilSeconds(config.connectionTimeout())));
    hikari.addDataSourceProperty("tcpKeepAlive", "true");
    if (!config.statementTimeout().isZero()) {
      // the server cancels a statement after statementTimeout; the socket timeout is the backstop
      // for a server that stops answering at all
      hikari.setConnectionInitSql("SET statement_timeout = " + config.statementTimeout().toMillis());
      hikari.addDataSourceProperty("socketTimeout",
          Long.toString(ceilSeconds(config.statementTimeout()) + ceilSeconds(config.connectionTimeout())));
    }
    return hikari;
  }

  /**
   * Runs the migrations on a pool of their own (Flyway holds a lock on one connection while it
   * migrates on another, and the registry's pool may have one; migrations have no statement
   * timeout), closed when they are done.
   */
  private static void migrate(PostgresRegistryConfig config) {
    HikariConfig settings = hikari(config);
    settings.setPoolName("nitricws-postgres-migrate-" + config.schema());
    settings.setMaximumPoolSize(2);
    settings.setMinimumIdle(0);
    settings.setConnectionInitSql(null);
    settings.getDataSourceProperties().remove("socketTimeout");
    try (HikariDataSource dataSource = new HikariDataSource(settings)) {
      MigrateResult result = Flyway.configure(PostgresConnectionRegistry.class.getClassLoader())
          .dataSource(dataSource)
          .schemas(config.schema())
          .defaultSchema(config.schema())
          .createSchemas(true)
          .table(HISTORY_TABLE)
          .locations(MIGRATIONS)
          .load()
          .migrate();
      LOG.info("postgres registry schema {}: {} migration(s) applied, now at version {}",
          config.schema(), result.migrationsExecuted,
          result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion);
    } catch (RuntimeException e) {
      throw new ConnectionStoreException(where(config) + "schema migration failed: " + reason(e), e);
    }
  }

  private static void checkReady(PostgresRegistryConfig config, Jdbi jdbi) {
    String table = Statements.table(config.schema());
    try {
      boolean present = jdbi.withHandle(h -> h.createQuery("SELECT to_regclass(:table) IS NOT NULL")
          .bind("table", table).mapTo(Boolean.class).one());
      if (!present) {
        throw new ConnectionStoreException(where(config) + "table " + table + " does not exist;"
            + " start with migrate=true or apply the migrations in " + MIGRATIONS);
      }
      String encoding = jdbi.withHandle(h -> h.createQuery("SHOW server_encoding").mapTo(String.class).one());
      if (!"UTF8".equalsIgnoreCase(encoding)) {
        LOG.warn("postgres registry on {}: the server encoding is {}, not UTF8; texts outside it cannot be stored",
            config.describe(), encoding);
      }
    } catch (ConnectionStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ConnectionStoreException(where(config) + "checking table " + table + " failed: " + reason(e), e);
    }
  }

  /**
   * Stops the background purge, lets queued operations finish (up to 10 s; those still queued
   * then fail with a {@link ConnectionStoreException}) and closes the pool. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (purgeTimer != null) {
      purgeTimer.shutdownNow();
    }
    executor.shutdown();
    boolean drained = false;
    try {
      drained = executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!drained) {
      List<Runnable> abandoned = executor.shutdownNow();
      for (Runnable r : abandoned) {
        if (r instanceof StoreTask<?> task) {
          task.fail(new ConnectionStoreException(where(config) + task.describe() + " abandoned: the registry was closed"));
        }
      }
      LOG.warn("postgres registry on {} closed with {} operation(s) not done", config.describe(), abandoned.size());
    }
    dataSource.close();
    LOG.info("postgres registry on {} closed", config.describe());
  }

  // ---------------------------------------------------------------------------- the port

  @Override
  public CompletionStage<Void> register(Connection connection) {
    requireNonNull(connection, "connection");
    ensureOpen();
    SocketName socket = connection.socket();
    ConnectionId id = connection.id();
    String storedId = id.value();
    String attributes = JsonCodec.encodeAttributes(connection.attributes());
    String query = JsonCodec.encodeQuery(connection.query());
    Argument connectedAt = timestamp(connection.connectedAt());
    Argument expiresAt = timestamp(connection.expiresAt());
    return run("register", socket, id, h -> {
      h.createUpdate(sql.upsert)
          .bind("socket", socket.value())
          .bind("id", storedId)
          .bind("attributes", attributes)
          .bind("query", query)
          .bind("connectedAt", connectedAt)
          .bind("expiresAt", expiresAt)
          .execute();
      return null;
    });
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    ensureOpen();
    return run("unregister", socket, id, h -> h.createQuery(sql.delete)
        .bind("socket", socket.value())
        .bind("id", id.value())
        .bind("now", timestamp(now()))
        .mapTo(Boolean.class)
        .findOne()
        .orElse(false));
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    ensureOpen();
    return run("find", socket, id, h -> h.createQuery(sql.find)
        .bind("socket", socket.value())
        .bind("id", id.value())
        .bind("now", timestamp(now()))
        .map((rs, ctx) -> new Connection(socket, id,
            JsonCodec.decodeAttributes(rs.getString(1)),
            JsonCodec.decodeQuery(rs.getString(2)),
            instant(rs, 3),
            instant(rs, 4)))
        .findOne());
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    requireNonNull(socket, "socket");
    ensureOpen();
    return run("count", socket, null, h -> h.createQuery(sql.count)
        .bind("socket", socket.value())
        .bind("now", timestamp(now()))
        .mapTo(Long.class)
        .one());
  }

  @Override
  public CompletionStage<Long> scan(
      SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    ensureOpen();
    // keyset paging on the primary key: each page starts after the last id of the one before
    return Pages.drive(onPage, after -> run("scan", socket, after, h -> {
      List<ConnectionId> ids = h.createQuery(sql.page)
          .bind("socket", socket.value())
          .bind("after", after == null ? "" : after.value())
          .bind("now", timestamp(now()))
          .bind("limit", pageSize)
          .map((rs, ctx) -> ConnectionId.of(rs.getString(1)))
          .list();
      return ids.size() < pageSize ? Pages.last(ids) : Pages.more(ids);
    }));
  }

  // ---------------------------------------------------------------------------- expiry

  /**
   * Deletes every row that has expired by the registry's clock, in batches of {@value
   * #PURGE_BATCH}; completes with the number deleted. Rows another transaction holds are left for
   * the next purge. Runs by itself every {@link PostgresRegistryConfig#purgeInterval()}.
   */
  public CompletionStage<Long> purgeExpired() {
    ensureOpen();
    return purgeFrom(0);
  }

  private CompletableFuture<Long> purgeFrom(long deletedSoFar) {
    return run("purge of expired connections", null, null, h -> h.createUpdate(sql.purge)
        .bind("now", timestamp(now()))
        .bind("limit", PURGE_BATCH)
        .execute())
        .thenCompose(deleted -> deleted < PURGE_BATCH || closed.get()
            ? CompletableFuture.completedFuture(deletedSoFar + deleted)
            : purgeFrom(deletedSoFar + deleted));
  }

  private void backgroundPurge() {
    if (closed.get() || !purging.compareAndSet(false, true)) {
      return;
    }
    purgeFrom(0).whenComplete((deleted, error) -> {
      purging.set(false);
      if (error != null) {
        LOG.warn("postgres registry on {}: background purge failed: {}", config.describe(), error.getMessage());
      } else if (deleted > 0) {
        LOG.debug("postgres registry on {}: purged {} expired connection(s)", config.describe(), deleted);
      }
    });
  }

  // ---------------------------------------------------------------------------- plumbing

  /** Runs {@code work} with a handle on the registry's executor; failures become ConnectionStoreException. */
  private <T> CompletableFuture<T> run(String operation, SocketName socket, ConnectionId id,
      HandleCallback<T, RuntimeException> work) {
    StoreTask<T> task = new StoreTask<>(operation, socket, id, work);
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      task.fail(new ConnectionStoreException(where(config) + task.describe() + " refused: "
          + (closed.get() || executor.isShutdown() ? "the registry is closed"
              : config.maxQueued() + " operations are already waiting for a database connection"), e));
    }
    return task.result;
  }

  /** One operation waiting for, or running on, the registry's executor. */
  private final class StoreTask<T> implements Runnable {
    final CompletableFuture<T> result = new CompletableFuture<>();
    private final String operation;
    private final SocketName socket;
    private final ConnectionId id;
    private final HandleCallback<T, RuntimeException> work;

    StoreTask(String operation, SocketName socket, ConnectionId id, HandleCallback<T, RuntimeException> work) {
      this.operation = operation;
      this.socket = socket;
      this.id = id;
      this.work = work;
    }

    @Override
    public void run() {
      try {
        result.complete(jdbi.withHandle(work));
      } catch (Exception e) {
        result.completeExceptionally(new ConnectionStoreException(where(config) + describe() + " failed: " + reason(e), e));
      } catch (Throwable t) { // an Error: the caller must still hear about it
        result.completeExceptionally(t);
        throw t;
      }
    }

    void fail(Throwable error) {
      result.completeExceptionally(error);
    }

    String describe() {
      StringBuilder out = new StringBuilder(operation);
      if (id != null) {
        out.append(operation.equals("scan") ? " after id '" : " of connection '").append(id).append('\'');
      }
      if (socket != null) {
        out.append(" on socket ").append(socket);
      }
      return out.toString();
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the postgres registry on " + config.describe() + " is closed");
    }
  }

  /** The clock's instant to the microsecond, PostgreSQL's precision (expiry times are whole milliseconds). */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Binds an instant as a timestamptz, with its offset, whatever the JVM's or the server's time zone. */
  private static Argument timestamp(Instant instant) {
    return new Timestamp(instant.atOffset(ZoneOffset.UTC));
  }

  /** A timestamptz argument; its text (shown in JDBI's messages) is the instant. */
  private record Timestamp(OffsetDateTime at) implements Argument {
    @Override
    public void apply(int position, PreparedStatement statement, StatementContext ctx) throws SQLException {
      statement.setObject(position, at);
    }

    @Override
    public String toString() {
      return at.toString();
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static String where(PostgresRegistryConfig config) {
    return "postgres registry on " + config.describe() + ": ";
  }

  /**
   * What went wrong, for a message: the database's or driver's own words (with the SQL state)
   * rather than JDBI's wrapper, which repeats the statement and its bound values.
   */
  static String reason(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState() == null ? "" : " [SQL state " + sql.getSQLState() + "]";
        Throwable under = sql.getCause();
        String detail = under != null && under.getMessage() != null && !under.getMessage().equals(sql.getMessage())
            ? " (" + under.getMessage() + ")" : "";
        return oneLine(sql.getMessage() + state + detail);
      }
    }
    return error.getMessage() == null ? error.getClass().getName() : oneLine(error.getMessage());
  }

  /** PostgreSQL's messages run over several lines ("ERROR: ...\n  Where: ..."); logs read better on one. */
  private static String oneLine(String message) {
    return message == null ? null : message.replaceAll("\\s*\\R\\s*", " ");
  }

  private static long ceilSeconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public String toString() {
    return "PostgresConnectionRegistry[" + config.describe() + (closed.get() ? ", closed" : "") + "]";
  }

  /** The statements, with the schema-qualified table written in once at start-up. */
  private record Statements(String upsert, String delete, String find, String count, String page, String purge) {

    /** {@code "schema".connections}; the schema name was checked to be a plain identifier, and is quoted too. */
    static String table(String schema) {
      PostgresRegistryConfig.checkSchema(schema);
      return "\"" + schema + "\".connections";
    }

    static Statements forSchema(String schema) {
      String t = table(schema);
      return new Statements(
          "INSERT INTO " + t + " (socket, connection_id, attributes, query, connected_at, expires_at)"
              + " VALUES (:socket, :id, CAST(:attributes AS jsonb), CAST(:query AS jsonb), :connectedAt, :expiresAt)"
              + " ON CONFLICT (socket, connection_id) DO UPDATE SET attributes = EXCLUDED.attributes,"
              + " query = EXCLUDED.query, connected_at = EXCLUDED.connected_at, expires_at = EXCLUDED.expires_at",
          "DELETE FROM " + t + " WHERE socket = :socket AND connection_id = :id RETURNING expires_at > :now",
          "SELECT attributes, query, connected_at, expires_at FROM " + t
              + " WHERE socket = :socket AND connection_id = :id AND expires_at > :now",
          "SELECT count(*) FROM " + t + " WHERE socket = :socket AND expires_at > :now",
          "SELECT connection_id FROM " + t + " WHERE socket = :socket AND connection_id > :after"
              + " AND expires_at > :now ORDER BY connection_id LIMIT :limit",
          "DELETE FROM " + t + " AS c USING (SELECT socket, connection_id FROM " + t
              + " WHERE expires_at <= :now ORDER BY expires_at LIMIT :limit FOR UPDATE SKIP LOCKED) AS d"
              + " WHERE c.socket = d.socket AND c.connection_id = d.connection_id AND c.expires_at <= :now");
    }
  }
}
