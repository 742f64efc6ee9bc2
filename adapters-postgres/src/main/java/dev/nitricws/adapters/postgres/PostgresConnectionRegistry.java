package dev.nitricws.adapters.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.Pages;
import dev.nitricws.domain.SocketName;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConnectionRegistry} on a PostgreSQL table ({@code <schema>.connections}, one row per
 * socket and connection id), through a HikariCP pool and JDBI; and the {@link ConnectionGroups}
 * of those connections on a second table ({@code <schema>.memberships}, one row per socket, group
 * and connection id).
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
 * PostgresRegistryConfig#purgeInterval()} (batches of 1,000, oldest first, rows locked by others
 * skipped), or on demand by {@link #purgeExpired()}.
 *
 * <p>Groups: a membership row references its entry with a foreign key {@code ON DELETE CASCADE},
 * so deleting an entry (unregister, the purge) deletes its memberships in the same statement, and
 * a join inserts only for a live entry, which it holds ({@code FOR KEY SHARE}) until it commits:
 * a join racing an unregister of the same connection never leaves a member behind. A membership
 * keeps the expiry of the entry it joined under and counts only until then. Registers are
 * untouched by groups.
 *
 * <p>Create it with {@link #start}; {@link #close()} stops the executor and closes the pool.
 */
public final class PostgresConnectionRegistry implements ConnectionRegistry, ConnectionGroups, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresConnectionRegistry.class);

  /** Where the schema migrations live on the class path. */
  public static final String MIGRATIONS = "classpath:db/migration/nitricws";
  /** Flyway's history table, in the registry's schema. */
  public static final String HISTORY_TABLE = "flyway_schema_history";

  private final PostgresRegistryConfig config;
  private final HikariDataSource dataSource;
  private final Clock clock;
  private final PostgresStatements sql;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final StoreExecutor executor;
  private final ExpiryPurge purge;

  private PostgresConnectionRegistry(PostgresRegistryConfig config, HikariDataSource dataSource, Jdbi jdbi, Clock clock) {
    this.config = config;
    this.dataSource = dataSource;
    this.clock = clock;
    this.sql = PostgresStatements.forSchema(config.schema());
    this.executor = new StoreExecutor(config, jdbi, closed::get);
    this.purge = new ExpiryPurge(config, executor, sql, clock, closed::get);
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
    HikariDataSource dataSource = PostgresPool.open(config);
    try {
      if (config.migrate()) {
        PostgresMigrations.run(config);
      }
      Jdbi jdbi = Jdbi.create(dataSource);
      PostgresReadiness.check(config, jdbi);
      PostgresConnectionRegistry registry = new PostgresConnectionRegistry(config, dataSource, jdbi, clock);
      LOG.info("postgres registry started on {} with {} connections, purge every {}",
          config.describe(), config.poolSize(), config.purgeInterval().isZero() ? "(never)" : config.purgeInterval());
      return registry;
    } catch (RuntimeException e) {
      dataSource.close();
      throw e instanceof ConnectionStoreException ? e : PostgresFailures.failure(config, "start failed", e);
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
    purge.stop();
    executor.shutDown();
    dataSource.close();
    LOG.info("postgres registry on {} closed", config.describe());
  }

  // ---------------------------------------------------------------------------- the registry

  @Override
  public CompletionStage<Void> register(Connection connection) {
    requireNonNull(connection, "connection");
    ensureOpen();
    SocketName socket = connection.socket();
    ConnectionId id = connection.id();
    String storedId = id.value();
    String attributes = JsonCodec.encodeAttributes(connection.attributes());
    String query = JsonCodec.encodeQuery(connection.query());
    Argument connectedAt = SqlTime.of(connection.connectedAt());
    Argument expiresAt = SqlTime.of(connection.expiresAt());
    return executor.run("register", socket, id, h -> {
      h.createUpdate(sql.upsert())
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
    checkKey(socket, id);
    return executor.run("unregister", socket, id, h -> liveOne(h, sql.delete(), socket, id)
        .mapTo(Boolean.class)
        .findOne()
        .orElse(false));
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    checkKey(socket, id);
    return executor.run("find", socket, id, h -> liveOne(h, sql.find(), socket, id)
        .map((rs, ctx) -> new Connection(socket, id,
            JsonCodec.decodeAttributes(rs.getString(1)),
            JsonCodec.decodeQuery(rs.getString(2)),
            SqlTime.read(rs, 3),
            SqlTime.read(rs, 4)))
        .findOne());
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    requireNonNull(socket, "socket");
    ensureOpen();
    return executor.run("count", socket, null, h -> live(h, sql.count(), socket)
        .mapTo(Long.class)
        .one());
  }

  @Override
  public CompletionStage<Long> scan(
      SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    ensureOpen();
    // keyset paging on the primary key: each page starts after the last id of the one before
    return Pages.drive(onPage, after -> executor.run("scan", socket, after, h -> {
      List<ConnectionId> ids = live(h, sql.page(), socket)
          .bind("after", after == null ? "" : after.value())
          .bind("limit", pageSize)
          .map((rs, ctx) -> ConnectionId.of(rs.getString(1)))
          .list();
      return ids.size() < pageSize ? Pages.last(ids) : Pages.more(ids);
    }));
  }

  // ---------------------------------------------------------------------------- groups

  @Override
  public CompletionStage<Boolean> join(SocketName socket, GroupName group, ConnectionId id) {
    checkMember(socket, group, id);
    return executor.run("join", socket, group, id, h -> liveOne(h, sql.join(), socket, id)
        .bind("group", group.key())
        .mapTo(Boolean.class)
        .findOne()
        .isPresent());
  }

  @Override
  public CompletionStage<Boolean> leave(SocketName socket, GroupName group, ConnectionId id) {
    checkMember(socket, group, id);
    return executor.run("leave", socket, group, id, h -> liveOne(h, sql.leave(), socket, id)
        .bind("group", group.key())
        .mapTo(Boolean.class)
        .findOne()
        .orElse(false));
  }

  @Override
  public CompletionStage<Set<GroupName>> groupsOf(SocketName socket, ConnectionId id) {
    checkKey(socket, id);
    return executor.run("groups", socket, id, h -> liveOne(h, sql.groupsOf(), socket, id)
        .map((rs, ctx) -> new GroupName(rs.getString(1)))
        .collect(Collectors.toUnmodifiableSet()));
  }

  @Override
  public CompletionStage<Long> countMembers(SocketName socket, GroupName group) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
    ensureOpen();
    return executor.run("member count", socket, group, null, h -> live(h, sql.countMembers(), socket)
        .bind("group", group.key())
        .mapTo(Long.class)
        .one());
  }

  @Override
  public CompletionStage<Long> scanMembers(
      SocketName socket, GroupName group, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    requireNonNull(group, "group");
    ensureOpen();
    // keyset paging on the primary key, as scan does, within the group
    return Pages.drive(onPage, after -> executor.run("member scan", socket, group, after, h -> {
      List<ConnectionId> ids = live(h, sql.memberPage(), socket)
          .bind("group", group.key())
          .bind("after", after == null ? "" : after.value())
          .bind("limit", pageSize)
          .map((rs, ctx) -> ConnectionId.of(rs.getString(1)))
          .list();
      return ids.size() < pageSize ? Pages.last(ids) : Pages.more(ids);
    }));
  }

  // ---------------------------------------------------------------------------- maintenance

  /**
   * Deletes every row that has expired by the registry's clock, in batches of 1,000, and with each
   * its memberships (the foreign key's cascade); completes with the number of connection rows
   * deleted. Rows another transaction holds are left for the next purge. Runs by
   * itself every {@link PostgresRegistryConfig#purgeInterval()}.
   */
  public CompletionStage<Long> purgeExpired() {
    ensureOpen();
    return purge.purge();
  }

  @Override
  public String toString() {
    return "PostgresConnectionRegistry[" + config.describe() + (closed.get() ? ", closed" : "") + "]";
  }

  // ---------------------------------------------------------------------------- plumbing

  /** {@code statement} on the rows of {@code socket} that are live now. */
  private Query live(Handle h, String statement, SocketName socket) {
    return h.createQuery(statement)
        .bind("socket", socket.value())
        .bind("now", SqlTime.now(clock));
  }

  /** {@code statement} on the row of connection {@code id} of {@code socket}, if it is live now. */
  private Query liveOne(Handle h, String statement, SocketName socket, ConnectionId id) {
    return live(h, statement, socket).bind("id", id.value());
  }

  /** The checks of an operation on one connection. */
  private void checkKey(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    ensureOpen();
  }

  /** The checks of an operation on one connection in one group. */
  private void checkMember(SocketName socket, GroupName group, ConnectionId id) {
    requireNonNull(group, "group");
    checkKey(socket, id);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the postgres registry on " + config.describe() + " is closed");
    }
  }
}
