package dev.nitricws.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.nitricws.adapters.postgres.PostgresConnectionRegistry;
import dev.nitricws.adapters.postgres.PostgresRegistryConfig;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketName;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** What the PostgreSQL registry does beyond the contract: schema, migrations, configuration, faults. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresRegistryBehaviourIT {

  private static final String TABLE_COUNT =
      "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?";
  /** The migrations in {@link PostgresConnectionRegistry#MIGRATIONS}. */
  private static final long MIGRATIONS = 2;

  private static PostgresServers.Server server;
  private static final Set<String> schemas = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void server() {
    server = PostgresServers.server();
  }

  @AfterAll
  static void dropSchemas() {
    schemas.forEach(server::dropSchema);
  }

  // ------------------------------------------------------------------ schema and migrations

  @Test
  void migrationsAreIdempotentAcrossStartsAndConcurrentStarts() throws Exception {
    String schema = schema();
    SocketName socket = freshSocket();
    Connection c = connection(socket, "kept");
    try (PostgresConnectionRegistry first = PostgresConnectionRegistry.start(server.config(schema))) {
      join(first.register(c));
    }

    // two instances starting at once on the same schema (and on a schema nobody created yet),
    // then a third after them
    String untouched = schema();
    ExecutorService starters = Executors.newFixedThreadPool(4);
    try {
      CompletableFuture<PostgresConnectionRegistry> a =
          CompletableFuture.supplyAsync(() -> PostgresConnectionRegistry.start(server.config(schema)), starters);
      CompletableFuture<PostgresConnectionRegistry> b =
          CompletableFuture.supplyAsync(() -> PostgresConnectionRegistry.start(server.config(schema)), starters);
      CompletableFuture<PostgresConnectionRegistry> c1 =
          CompletableFuture.supplyAsync(() -> PostgresConnectionRegistry.start(server.config(untouched)), starters);
      CompletableFuture<PostgresConnectionRegistry> c2 =
          CompletableFuture.supplyAsync(() -> PostgresConnectionRegistry.start(server.config(untouched)), starters);
      try (PostgresConnectionRegistry second = a.get(60, TimeUnit.SECONDS);
          PostgresConnectionRegistry third = b.get(60, TimeUnit.SECONDS);
          PostgresConnectionRegistry newA = c1.get(60, TimeUnit.SECONDS);
          PostgresConnectionRegistry newB = c2.get(60, TimeUnit.SECONDS);
          PostgresConnectionRegistry fourth = PostgresConnectionRegistry.start(server.config(schema))) {
        assertThat(join(second.find(socket, c.id()))).contains(c);
        assertThat(join(third.find(socket, c.id()))).contains(c);
        assertThat(join(fourth.count(socket))).isEqualTo(1L);
        join(newA.register(c));
        assertThat(join(newB.find(socket, c.id()))).contains(c);
      }
    } finally {
      starters.shutdownNow();
    }
    assertThat(server.count("SELECT count(*) FROM \"" + schema + "\".flyway_schema_history"
        + " WHERE type = 'SQL' AND success")).as("each migration applied once").isEqualTo(MIGRATIONS);
    assertThat(server.queryOne("SELECT string_agg(version, ',' ORDER BY installed_rank) FROM \"" + schema
        + "\".flyway_schema_history WHERE type = 'SQL'")).isEqualTo("1,2");
    assertThat(server.count("SELECT count(*) FROM \"" + untouched + "\".flyway_schema_history"
        + " WHERE type = 'SQL' AND success")).isEqualTo(MIGRATIONS);
  }

  @Test
  void theConfiguredSchemaHoldsTheTableTheIndexesAndTheHistory() {
    String schema = schema();
    SocketName socket = freshSocket();
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(server.config(schema))) {
      join(registry.register(connection(socket, "here")));
    }

    assertThat(server.count(TABLE_COUNT, schema, "connections")).isEqualTo(1L);
    assertThat(server.count(TABLE_COUNT, schema, PostgresConnectionRegistry.HISTORY_TABLE)).isEqualTo(1L);
    assertThat(server.count("SELECT count(*) FROM \"" + schema + "\".connections WHERE socket = ?", socket.value()))
        .isEqualTo(1L);
    assertThat(server.count("SELECT count(*) FROM pg_indexes WHERE schemaname = ? AND tablename = 'connections'"
        + " AND indexname IN ('connections_pkey', 'connections_expires_at_idx')", schema)).isEqualTo(2L);
    assertThat(server.queryOne("SELECT collation_name FROM information_schema.columns"
        + " WHERE table_schema = ? AND table_name = 'connections' AND column_name = 'connection_id'", schema))
        .isEqualTo("C");
    assertThat(server.count(TABLE_COUNT, schema, "memberships")).isEqualTo(1L);
    assertThat(server.count("SELECT count(*) FROM pg_indexes WHERE schemaname = ? AND tablename = 'memberships'"
        + " AND indexname IN ('memberships_pkey', 'memberships_connection_idx')", schema)).isEqualTo(2L);
    assertThat(server.queryOne("SELECT confdeltype FROM pg_constraint WHERE conname = 'memberships_connection_fkey'"
        + " AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)", schema))
        .as("ON DELETE CASCADE").isEqualTo("c");
    assertThat(server.count("SELECT count(*) FROM information_schema.columns WHERE table_schema = ?"
        + " AND table_name = 'memberships' AND column_name IN ('socket', 'group_key', 'connection_id')"
        + " AND collation_name = 'C'", schema)).isEqualTo(3L);
  }

  @Test
  void aSchemaOfTheFirstVersionIsUpgradedKeepingItsConnections() {
    String schema = schema();
    SocketName socket = freshSocket();
    Connection c = connection(socket, "old-timer");
    try (HikariDataSource dataSource = new HikariDataSource(flywayPool())) {
      Flyway.configure().dataSource(dataSource).schemas(schema).defaultSchema(schema).createSchemas(true)
          .table(PostgresConnectionRegistry.HISTORY_TABLE).locations(PostgresConnectionRegistry.MIGRATIONS)
          .target("1").load().migrate();
    }
    assertThat(server.count(TABLE_COUNT, schema, "memberships")).isZero();
    server.queryOne("INSERT INTO \"" + schema + "\".connections VALUES (?, ?, '{\"k\": \"v\"}', '[]', ?, ?)",
        socket.value(), c.id().value(), c.connectedAt().atOffset(ZoneOffset.UTC),
        c.expiresAt().atOffset(ZoneOffset.UTC));

    assertThatThrownBy(() -> PostgresConnectionRegistry.start(server.builder(schema).migrate(false).build()))
        .isInstanceOf(ConnectionStoreException.class)
        .hasMessageContaining("\"" + schema + "\".memberships does not exist")
        .hasMessageContaining("migrate=true");

    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(server.config(schema))) {
      assertThat(join(registry.find(socket, c.id()))).contains(c);
      assertThat(join(registry.join(socket, GroupName.of("room"), c.id()))).isTrue();
      assertThat(join(registry.countMembers(socket, GroupName.of("room")))).isEqualTo(1L);
    }
    assertThat(server.queryOne("SELECT string_agg(version, ',' ORDER BY installed_rank) FROM \"" + schema
        + "\".flyway_schema_history WHERE type = 'SQL' AND success")).isEqualTo("1,2");
  }

  @Test
  void aHostileSchemaNameIsRefusedNamingTheRule() {
    String hostile = "x\"; drop table y; --";

    assertThatThrownBy(() -> server.config(hostile))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(hostile)
        .hasMessageContaining("lowercase letters a-z, digits and '_'");
    assertThatThrownBy(() -> new PostgresRegistryConfig(server.jdbcUrl(), null, null, hostile, 1,
        Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, 10, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("starts with a letter or '_'");
    assertThat(server.count("SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", hostile)).isZero();
  }

  @Test
  void withoutMigrationsAMissingTableIsReportedAtStart() {
    String schema = schema();

    assertThatThrownBy(() -> PostgresConnectionRegistry.start(server.builder(schema).migrate(false).build()))
        .isInstanceOf(ConnectionStoreException.class)
        .hasMessageContaining("\"" + schema + "\".connections does not exist")
        .hasMessageContaining("migrate=true");
  }

  // ------------------------------------------------------------------ secrets

  @Test
  void thePasswordNeverAppearsInMessagesLogsOrToString() throws IOException {
    String secret = "pw-" + UUID.randomUUID();
    ListAppender<ILoggingEvent> logs = captureLogs();
    try {
      PostgresRegistryConfig unreachable = PostgresRegistryConfig
          .forServer("127.0.0.1", closedPort(), "test", "postgres", secret).toBuilder()
          .connectionTimeout(Duration.ofMillis(500)).build();
      assertThat(unreachable.toString()).doesNotContain(secret).contains("password=****");
      Throwable failure = catchThrowable(() -> PostgresConnectionRegistry.start(unreachable));
      assertThat(failure).isInstanceOf(ConnectionStoreException.class);
      assertThat(everything(failure)).doesNotContain(secret);

      assertThatThrownBy(() -> PostgresRegistryConfig.forUrl(server.jdbcUrl() + (server.jdbcUrl().contains("?") ? "&" : "?")
          + "password=" + secret))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining(secret);

      // a running registry (the server ignores the password where it trusts loopback)
      String password = server.password() != null ? server.password() : secret;
      String schema = schema();
      try (PostgresConnectionRegistry registry =
          PostgresConnectionRegistry.start(server.builder(schema).password(password).build())) {
        assertThat(registry.toString()).doesNotContain(password);
        Throwable refused = catchThrowable(() -> join(registry.register(farFuture(freshSocket(), "far"))));
        assertThat(refused).isInstanceOf(ConnectionStoreException.class);
        assertThat(everything(refused)).doesNotContain(password);
      }
      assertThat(logs.list).isNotEmpty()
          .allSatisfy(event -> assertThat(event.getFormattedMessage()).doesNotContain(secret).doesNotContain(password));
    } finally {
      releaseLogs(logs);
    }
  }

  // ------------------------------------------------------------------ faults

  @Test
  void anUnreachableDatabaseAtStartGivesConnectionStoreException() throws IOException {
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/test";
    PostgresRegistryConfig config = PostgresRegistryConfig.builder().jdbcUrl(url).connectionTimeout(Duration.ofMillis(500)).build();

    Throwable failure = catchThrowable(() -> PostgresConnectionRegistry.start(config));

    assertThat(failure).isInstanceOf(ConnectionStoreException.class)
        .hasMessageContaining(url)
        .hasMessageContaining("cannot open a connection");
    assertThat(failure.getCause()).isNotNull();
  }

  @Test
  void aDatabaseThatGoesAwayFailsEveryOperationAndTheRegistryRecoversWhenItIsBack() throws Exception {
    String schema = schema();
    SocketName socket = freshSocket();
    Connection before = connection(socket, "before");
    Connection after = connection(socket, "after");
    try (LoopbackProxy proxy = new LoopbackProxy(server.host(), server.port())) {
      String viaProxy = server.jdbcUrlVia(proxy.port());
      PostgresRegistryConfig config = PostgresRegistryConfig.builder().jdbcUrl(viaProxy)
          .user(server.user()).password(server.password()).schema(schema)
          .poolSize(2).connectionTimeout(Duration.ofSeconds(1)).purgeInterval(Duration.ZERO).build();
      try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(config)) {
        join(registry.register(before));

        proxy.stop();

        GroupName room = GroupName.of("room");
        List<CompletionStage<?>> attempts = List.of(
            registry.register(after),
            registry.find(socket, before.id()),
            registry.count(socket),
            registry.unregister(socket, before.id()),
            registry.scan(socket, 10, page -> CompletableFuture.completedFuture(null)),
            registry.join(socket, room, before.id()),
            registry.leave(socket, room, before.id()),
            registry.groupsOf(socket, before.id()),
            registry.countMembers(socket, room),
            registry.scanMembers(socket, room, 10, page -> CompletableFuture.completedFuture(null)));
        for (CompletionStage<?> attempt : attempts) {
          Throwable failure = catchThrowable(() -> attempt.toCompletableFuture().get(30, TimeUnit.SECONDS));
          assertThat(failure).isInstanceOf(ExecutionException.class);
          assertThat(failure.getCause()).isInstanceOf(ConnectionStoreException.class)
              .hasMessageContaining(viaProxy)
              .hasMessageContaining("failed");
          assertThat(failure.getCause().getCause()).as("the cause is kept").isNotNull();
        }
        assertThat(catchThrowable(() -> attempts.get(5).toCompletableFuture().join()).getCause())
            .hasMessageContaining("join of connection 'before' in group 'room' on socket " + socket + " failed");
        assertThat(catchThrowable(() -> attempts.get(9).toCompletableFuture().join()).getCause())
            .hasMessageContaining("member scan in group 'room' on socket " + socket + " failed");

        proxy.start();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
            .untilAsserted(() -> assertThat(join(registry.find(socket, before.id()))).contains(before));
        join(registry.register(after));
        assertThat(join(registry.count(socket))).isEqualTo(2L);
      }
    }
  }

  @Test
  void badInputIsRefusedAndLosesNothingStored() {
    String schema = schema();
    SocketName socket = freshSocket();
    Connection a = connection(socket, "a");
    Connection b = connection(socket, "b");
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(server.config(schema))) {
      join(registry.register(a));
      join(registry.register(b));

      // a value the server refuses fails the stage, names the operation, and changes nothing
      Throwable refused = catchThrowable(() -> join(registry.register(farFuture(socket, "a"))));
      assertThat(refused).isInstanceOf(ConnectionStoreException.class)
          .hasMessageContaining("register of connection 'a' on socket " + socket)
          .hasMessageContaining(server.jdbcUrl());
      assertThat(refused.getCause()).isNotNull();
      assertThat(catchThrowable(() -> join(registry.register(farFuture(socket, "c")))))
          .isInstanceOf(ConnectionStoreException.class);

      assertThat(join(registry.find(socket, a.id()))).contains(a);
      assertThat(join(registry.find(socket, b.id()))).contains(b);
      assertThat(join(registry.find(socket, ConnectionId.of("c")))).isEmpty();
      assertThat(join(registry.count(socket))).isEqualTo(2L);
      join(registry.register(connection(socket, "d")));
      assertThat(join(registry.count(socket))).isEqualTo(3L);
    }
  }

  @Test
  void controlCharactersAndJsonEscapesInAttributesRoundTrip() {
    String schema = schema();
    SocketName socket = freshSocket();
    // every control character but U+0000 (which the domain refuses), and what JSON must escape
    StringBuilder controls = new StringBuilder();
    for (char c = 1; c < 0x20; c++) {
      controls.append(c);
    }
    controls.append("\u007f \" \\ \\u0041 / \u2028\u2029");
    Connection c = new Connection(socket, ConnectionId.of("ctl"),
        Map.of("k" + controls, controls.toString()),
        new QueryParameters(Map.of(controls.toString(), List.of(controls.toString(), "?"))),
        Instant.now(), Instant.now().plusSeconds(3600));
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(server.config(schema))) {
      join(registry.register(c));

      assertThat(join(registry.find(socket, c.id()))).contains(c);
      assertThat(join(registry.unregister(socket, c.id()))).isTrue();
    }
  }

  @Test
  void storedJsonOfTheWrongShapeFailsTheReadWithConnectionStoreExceptionQuotingNothing() {
    String schema = schema();
    SocketName socket = freshSocket();
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(server.config(schema))) {
      join(registry.register(connection(socket, "attrs")));
      join(registry.register(connection(socket, "query")));
      String update = "UPDATE \"" + schema + "\".connections SET %s = ?::jsonb WHERE socket = ? AND connection_id = ?";
      server.queryOne(update.formatted("attributes"), "{\"user\": \"s3cr3t\", \"n\": 1}", socket.value(), "attrs");
      server.queryOne(update.formatted("query"), "[[\"token\", [\"s3cr3t\", 5]]]", socket.value(), "query");

      Throwable attrs = catchThrowable(() -> join(registry.find(socket, ConnectionId.of("attrs"))));
      Throwable query = catchThrowable(() -> join(registry.find(socket, ConnectionId.of("query"))));

      assertThat(attrs).isInstanceOf(ConnectionStoreException.class)
          .hasMessageContaining("find of connection 'attrs' on socket " + socket)
          .hasMessageContaining("stored JSON of attributes is not in the expected shape")
          .hasRootCauseInstanceOf(IllegalStateException.class);
      assertThat(query).isInstanceOf(ConnectionStoreException.class)
          .hasMessageContaining("stored JSON of query is not in the expected shape: expected a string as value 1 of element 0");
      assertThat(everything(attrs) + everything(query)).doesNotContain("s3cr3t");
      assertThat(join(registry.count(socket))).as("other operations go on").isEqualTo(2L);
    }
  }

  // ------------------------------------------------------------------ expiry

  @Test
  void expiryIsJudgedByTheInjectedClock() {
    String schema = schema();
    SocketName socket = freshSocket();
    Instant connected = Instant.parse("2030-01-01T00:00:00Z");
    Connection c = new Connection(socket, ConnectionId.of("timed"), Map.of(), QueryParameters.empty(), connected,
        connected.plus(Duration.ofHours(1)));
    TestClock clock = new TestClock(connected);
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(
        server.builder(schema).purgeInterval(Duration.ZERO).build(), clock)) {
      join(registry.register(c));

      clock.set(c.expiresAt().minusMillis(1));
      assertThat(join(registry.find(socket, c.id()))).contains(c);
      assertThat(join(registry.count(socket))).isEqualTo(1L);

      clock.set(c.expiresAt()); // expired at its expiry instant, as Connection.isExpiredAt says
      assertThat(join(registry.find(socket, c.id()))).isEmpty();
      assertThat(join(registry.count(socket))).isZero();
      assertThat(scanAll(registry, socket)).isEmpty();
      assertThat(join(registry.unregister(socket, c.id()))).isFalse();
      assertThat(rows(schema, socket)).as("unregister deletes the expired row").isZero();
    }
  }

  @Test
  void purgeDeletesExpiredRowsOnlyOnDemandAndInTheBackground() {
    String schema = schema();
    SocketName socket = freshSocket();
    Instant start = Instant.parse("2030-01-01T00:00:00Z");
    TestClock clock = new TestClock(start);
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(
        server.builder(schema).purgeInterval(Duration.ZERO).build(), clock)) {
      List<CompletableFuture<Void>> registered = new ArrayList<>();
      for (int i = 0; i < 2_500; i++) {
        registered.add(registry.register(new Connection(socket, ConnectionId.of("old-" + i), Map.of(),
            QueryParameters.empty(), start, start.plus(Duration.ofMinutes(1)))).toCompletableFuture());
      }
      join(CompletableFuture.allOf(registered.toArray(CompletableFuture[]::new)));
      join(registry.register(new Connection(socket, ConnectionId.of("live"), Map.of(), QueryParameters.empty(),
          start, start.plus(Duration.ofHours(1)))));
      clock.set(start.plus(Duration.ofMinutes(5)));
      assertThat(rows(schema, socket)).as("expired rows stay until purged").isEqualTo(2_501L);

      assertThat(join(registry.purgeExpired())).as("purged in batches").isEqualTo(2_500L);
      assertThat(rows(schema, socket)).isEqualTo(1L);
      assertThat(join(registry.count(socket))).isEqualTo(1L);
    }

    // in the background, by the system clock
    SocketName other = freshSocket();
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(
        server.builder(schema).purgeInterval(Duration.ofSeconds(1)).build())) {
      Instant past = Instant.now().minus(Duration.ofHours(3));
      for (int i = 0; i < 3; i++) {
        join(registry.register(new Connection(other, ConnectionId.of("gone-" + i), Map.of(), QueryParameters.empty(),
            past, past.plus(Duration.ofHours(1)))));
      }
      join(registry.register(connection(other, "stays")));
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .until(() -> rows(schema, other) == 1L);
      assertThat(join(registry.count(other))).isEqualTo(1L);
    }
  }

  // ------------------------------------------------------------------ groups

  @Test
  void membershipRowsAreDeletedWithTheirEntryByUnregisterAndByThePurge() {
    String schema = schema();
    SocketName socket = freshSocket();
    Instant start = Instant.parse("2030-01-01T00:00:00Z");
    TestClock clock = new TestClock(start);
    GroupName room = GroupName.of("room");
    GroupName user = GroupName.user("ada");
    Connection gone = timed(socket, "gone", start, Duration.ofHours(2));
    Connection lapsed = timed(socket, "lapsed", start, Duration.ofMinutes(1));
    Connection stays = timed(socket, "stays", start, Duration.ofHours(2));
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(
        server.builder(schema).purgeInterval(Duration.ZERO).build(), clock)) {
      for (Connection c : List.of(gone, lapsed, stays)) {
        join(registry.register(c));
        assertThat(join(registry.join(socket, room, c.id()))).isTrue();
        assertThat(join(registry.join(socket, user, c.id()))).isTrue();
      }
      assertThat(membershipRows(schema, socket)).isEqualTo(6L);

      assertThat(join(registry.unregister(socket, gone.id()))).isTrue();
      assertThat(membershipRows(schema, socket)).as("unregister deletes the memberships").isEqualTo(4L);

      clock.set(start.plus(Duration.ofMinutes(5)));
      assertThat(join(registry.countMembers(socket, room))).isEqualTo(1L);
      assertThat(membershipRows(schema, socket)).as("expired memberships stay until their entry is purged")
          .isEqualTo(4L);
      assertThat(join(registry.purgeExpired())).isEqualTo(1L);
      assertThat(membershipRows(schema, socket)).as("the purge deletes the memberships").isEqualTo(2L);
      assertThat(join(registry.groupsOf(socket, stays.id()))).containsExactlyInAnyOrder(room, user);
    }
  }

  @Test
  void aRegisterOfTheSameIdKeepsTheMembershipsOfALiveEntryAndNeverRevivesThoseOfAnExpiredOne() {
    String schema = schema();
    SocketName socket = freshSocket();
    Instant start = Instant.parse("2030-01-01T00:00:00Z");
    TestClock clock = new TestClock(start);
    GroupName room = GroupName.of("room");
    Connection first = timed(socket, "same", start, Duration.ofMinutes(10));
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(
        server.builder(schema).purgeInterval(Duration.ZERO).build(), clock)) {
      join(registry.register(first));
      join(registry.join(socket, room, first.id()));

      join(registry.register(first)); // the same entry again, still live
      assertThat(join(registry.groupsOf(socket, first.id()))).containsExactly(room);
      assertThat(join(registry.countMembers(socket, room))).isEqualTo(1L);

      clock.set(start.plus(Duration.ofMinutes(20))); // the entry has expired, and the id comes back
      Connection second = timed(socket, "same", clock.instant(), Duration.ofMinutes(10));
      join(registry.register(second));
      assertThat(join(registry.find(socket, second.id()))).contains(second);
      assertThat(join(registry.groupsOf(socket, second.id()))).isEmpty();
      assertThat(join(registry.countMembers(socket, room))).isZero();
      assertThat(members(registry, socket, room)).isEmpty();

      assertThat(join(registry.join(socket, room, second.id()))).isTrue();
      assertThat(join(registry.countMembers(socket, room))).isEqualTo(1L);
      clock.set(second.expiresAt().minusMillis(1));
      assertThat(join(registry.groupsOf(socket, second.id()))).as("joined under the new entry").containsExactly(room);
      clock.set(second.expiresAt());
      assertThat(join(registry.leave(socket, room, second.id()))).as("no longer a member").isFalse();
    }
  }

  // ------------------------------------------------------------------ threads and life cycle

  @Test
  void storeWorkRunsOnTheRegistrysThreadsNotTheCallers() {
    String schema = schema();
    TestClock clock = new TestClock(Instant.now());
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(server.config(schema), clock)) {
      SocketName socket = freshSocket();
      join(registry.register(connection(socket, "x")));
      join(registry.count(socket));
      join(registry.find(socket, ConnectionId.of("x")));
      scanAll(registry, socket);
      GroupName room = GroupName.of("room");
      join(registry.join(socket, room, ConnectionId.of("x")));
      join(registry.groupsOf(socket, ConnectionId.of("x")));
      join(registry.countMembers(socket, room));
      join(registry.scanMembers(socket, room, 5, page -> CompletableFuture.completedFuture(null)));
      join(registry.leave(socket, room, ConnectionId.of("x")));
      join(registry.unregister(socket, ConnectionId.of("x")));
    }
    // the clock is read inside each statement's task
    assertThat(clock.readers).isNotEmpty()
        .allSatisfy(name -> assertThat(name).startsWith("nitricws-postgres-" + schema + "-"));
  }

  @Test
  void aFullQueueRefusesAtOnceInsteadOfPilingUp() throws Exception {
    String schema = schema();
    TestClock clock = new TestClock(Instant.now());
    try (PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(
        server.builder(schema).poolSize(1).maxQueued(1).purgeInterval(Duration.ZERO).build(), clock)) {
      SocketName socket = freshSocket();
      CountDownLatch release = clock.hold();
      CompletableFuture<Long> running = registry.count(socket).toCompletableFuture();
      assertThat(clock.entered.await(30, TimeUnit.SECONDS)).as("the only thread is busy").isTrue();
      CompletableFuture<Long> queued = registry.count(socket).toCompletableFuture();
      CompletableFuture<Long> refused = registry.count(socket).toCompletableFuture();

      assertThat(refused).isCompletedExceptionally();
      assertThat(catchThrowable(refused::join).getCause())
          .isInstanceOf(ConnectionStoreException.class)
          .hasMessageContaining("1 operations are already waiting");

      release.countDown();
      assertThat(running.get(30, TimeUnit.SECONDS)).isZero();
      assertThat(queued.get(30, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void aClosedRegistryRefusesWorkAndClosesOnce() {
    PostgresConnectionRegistry registry = PostgresConnectionRegistry.start(server.config(schema()));
    SocketName socket = freshSocket();
    registry.close();
    registry.close();

    assertThatThrownBy(() -> registry.count(socket))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> registry.register(connection(socket, "late")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(registry.toString()).contains("closed");
  }

  // ------------------------------------------------------------------ helpers

  private static String schema() {
    String schema = PostgresServers.freshSchema();
    schemas.add(schema);
    return schema;
  }

  private static SocketName freshSocket() {
    return SocketName.of("b" + UUID.randomUUID().toString().replace("-", "").substring(0, 20));
  }

  private static Connection connection(SocketName socket, String id) {
    Instant now = Instant.now();
    return new Connection(socket, ConnectionId.of(id), Map.of("k", "v"), QueryParameters.empty(), now,
        now.plus(Duration.ofHours(2)));
  }

  /** A connection whose expiry is past what a timestamptz can hold (year 294276): the server refuses it. */
  private static Connection farFuture(SocketName socket, String id) {
    Instant now = Instant.now();
    return new Connection(socket, ConnectionId.of(id), Map.of(), QueryParameters.empty(), now,
        Instant.parse("+300000-01-01T00:00:00Z"));
  }

  private static Connection timed(SocketName socket, String id, Instant connected, Duration life) {
    return new Connection(socket, ConnectionId.of(id), Map.of(), QueryParameters.empty(), connected,
        connected.plus(life));
  }

  /** Membership rows of {@code socket}, expired or not. */
  private static long membershipRows(String schema, SocketName socket) {
    return server.count("SELECT count(*) FROM \"" + schema + "\".memberships WHERE socket = ?", socket.value());
  }

  /** Settings of a pool of two connections on the server, for Flyway alone. */
  private static HikariConfig flywayPool() {
    HikariConfig settings = new HikariConfig();
    settings.setJdbcUrl(server.jdbcUrl());
    settings.setUsername(server.user());
    settings.setPassword(server.password());
    settings.setMaximumPoolSize(2);
    return settings;
  }

  /** Rows of {@code socket} in the table, expired or not. */
  private static long rows(String schema, SocketName socket) {
    return server.count("SELECT count(*) FROM \"" + schema + "\".connections WHERE socket = ?", socket.value());
  }

  private static List<ConnectionId> members(PostgresConnectionRegistry registry, SocketName socket, GroupName group) {
    List<ConnectionId> ids = new ArrayList<>();
    join(registry.scanMembers(socket, group, 7, page -> {
      synchronized (ids) {
        ids.addAll(page);
      }
      return CompletableFuture.completedFuture(null);
    }));
    return ids;
  }

  private static List<ConnectionId> scanAll(PostgresConnectionRegistry registry, SocketName socket) {
    List<ConnectionId> ids = new ArrayList<>();
    join(registry.scan(socket, 7, page -> {
      synchronized (ids) {
        ids.addAll(page);
      }
      return CompletableFuture.completedFuture(null);
    }));
    return ids;
  }

  /**
   * A clock the test sets, which remembers which threads read it and can hold a reader until
   * released (to keep a registry thread busy).
   */
  private static final class TestClock extends Clock {
    final Set<String> readers = ConcurrentHashMap.newKeySet();
    final CountDownLatch entered = new CountDownLatch(1);
    private final AtomicReference<Instant> now;
    private volatile CountDownLatch gate;

    TestClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void set(Instant instant) {
      now.set(instant);
    }

    /** The next readers wait until the returned latch is counted down. */
    CountDownLatch hold() {
      CountDownLatch latch = new CountDownLatch(1);
      gate = latch;
      return latch;
    }

    @Override
    public Instant instant() {
      readers.add(Thread.currentThread().getName());
      CountDownLatch latch = gate;
      if (latch != null) {
        entered.countDown();
        try {
          latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Messages, causes and stack trace of {@code error}, as one text. */
  private static String everything(Throwable error) {
    StringWriter out = new StringWriter();
    error.printStackTrace(new PrintWriter(out));
    return out + " " + error;
  }

  private static ListAppender<ILoggingEvent> captureLogs() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
    return appender;
  }

  private static void releaseLogs(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
    appender.stop();
  }

  private static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException("registry call did not complete: " + e, e);
    }
  }
}
