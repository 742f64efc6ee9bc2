package dev.nitricws.it.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.contract.MutableClock;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketName;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the Redis registry does beyond the contract: its key layout (groups included), expiry on
 * disk, joins racing unregisters from another instance, faults, passwords.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisRegistryBehaviourIT {

  private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(1);

  @Test
  void theKeysOfOneSocketShareOneHashSlotWhateverTheIds() {
    SocketName socket = freshSocket();
    String url = RedisServers.clusterUrl();
    try (RedisConnectionRegistry registry = RedisConnectionRegistry.connect(RedisRegistryConfig.cluster(url))) {
      for (String id : List.of("plain", "{other}", "x}{y", "*", "nws:{" + socket.value() + "}:exp")) {
        join(registry.register(connection(socket, id, Instant.now().plus(Duration.ofHours(1)))));
      }
      assertThat(join(registry.count(socket))).isEqualTo(5L);

      List<String> keys = keys("nws:", socket);
      RedisClusterClient client = RedisClusterClient.create(seeds(url));
      try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
        RedisAdvancedClusterCommands<String, String> redis = connection.sync();
        List<Long> slots = keys.stream().map(redis::clusterKeyslot).toList();
        assertThat(slots).containsOnly((long) SlotHash.getSlot("{" + socket.value() + "}"));
        assertThat(redis.exists(keys.toArray(String[]::new))).isEqualTo(3L);
        assertThat(redis.zcard(keys.get(1))).isEqualTo(5L);
        assertThat(redis.hlen(keys.get(2))).isEqualTo(5L);
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void expiredEntriesArePhysicallyRemovedByCountAndScan() {
    SocketName socket = freshSocket();
    MutableClock clock = new MutableClock(Instant.now());
    String url = RedisServers.standaloneUrl();
    List<String> keys = keys("nws:", socket);
    RedisClient client = RedisClient.create(url);
    try (RedisConnectionRegistry registry = RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(url), clock);
        StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      for (int i = 0; i < 3; i++) {
        join(registry.register(connection(socket, "soon-" + i, clock.instant().plus(Duration.ofMinutes(1)))));
      }
      join(registry.register(connection(socket, "later", clock.instant().plus(Duration.ofHours(1)))));
      assertThat(redis.zcard(keys.get(0))).isEqualTo(4L);
      // the keys live as long as their longest entry, so an idle socket vanishes by itself
      assertThat(keys).allSatisfy(key ->
          assertThat(redis.pttl(key)).isBetween(Duration.ofMinutes(59).toMillis(), Duration.ofHours(1).toMillis()));

      clock.advance(Duration.ofMinutes(2));
      assertThat(join(registry.find(socket, ConnectionId.of("soon-0")))).isEmpty();
      assertThat(join(registry.count(socket))).isEqualTo(1L);
      assertThat(redis.zcard(keys.get(0))).isEqualTo(1L);
      assertThat(redis.zcard(keys.get(1))).isEqualTo(1L);
      assertThat(redis.hlen(keys.get(2))).isEqualTo(1L);
      assertThat(redis.hkeys(keys.get(2))).containsExactly("later");

      for (int i = 0; i < 1200; i++) {
        join(registry.register(connection(socket, "batch-" + i, clock.instant().plus(Duration.ofMinutes(1)))));
      }
      clock.advance(Duration.ofMinutes(2));
      List<ConnectionId> seen = new ArrayList<>();
      long delivered = join(registry.scan(socket, 7, page -> {
        seen.addAll(page);
        return CompletableFuture.completedFuture(null);
      }));
      assertThat(delivered).isEqualTo(1L);
      assertThat(seen).containsExactly(ConnectionId.of("later"));
      assertThat(redis.zcard(keys.get(0))).isEqualTo(1L);
      assertThat(redis.zcard(keys.get(1))).isEqualTo(1L);
      assertThat(redis.hlen(keys.get(2))).isEqualTo(1L);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void anEntryTooFarOffForAKeyTtlLeavesTheKeysWithoutOne() {
    SocketName socket = freshSocket();
    String url = RedisServers.standaloneUrl();
    List<String> keys = keys("nws:", socket);
    RedisClient client = RedisClient.create(url);
    try (RedisConnectionRegistry registry = RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(url));
        StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      join(registry.register(connection(socket, "hour", Instant.now().plus(Duration.ofHours(1)))));
      assertThat(redis.pttl(keys.get(1))).isPositive();

      Connection forever = connection(socket, "forever", Instant.MAX);
      join(registry.register(forever));
      assertThat(keys).allSatisfy(key -> assertThat(redis.pttl(key)).isEqualTo(-1L));
      join(registry.register(connection(socket, "another-hour", Instant.now().plus(Duration.ofHours(1)))));
      assertThat(keys).allSatisfy(key -> assertThat(redis.pttl(key)).isEqualTo(-1L));

      assertThat(join(registry.find(socket, forever.id()))).contains(forever);
      assertThat(join(registry.count(socket))).isEqualTo(3L);

      // keys without a TTL would stay on a shared server: empty them, and Redis deletes them
      for (String id : List.of("hour", "forever", "another-hour")) {
        assertThat(join(registry.unregister(socket, ConnectionId.of(id)))).isTrue();
      }
      assertThat(redis.exists(keys.toArray(String[]::new))).isZero();
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aStoppedServerFailsWithTheMaskedUriAndTheRegistryWorksAgainWhenItReturns() {
    String password = "pw-" + UUID.randomUUID();
    SocketName socket = freshSocket();
    try (LogCapture logs = new LogCapture();
        RedisServers.Throwaway server = RedisServers.throwaway(password)) {
      server.start();
      String masked = "redis://:****@127.0.0.1:" + server.port;
      try (RedisConnectionRegistry registry = RedisConnectionRegistry.connect(
          RedisRegistryConfig.builder().uri(server.url()).commandTimeout(SHORT_TIMEOUT).build())) {
        join(registry.register(connection(socket, "before", Instant.now().plus(Duration.ofHours(1)))));

        server.stop();
        Throwable failure = failureOf(registry.register(connection(socket, "while-down", Instant.now().plus(Duration.ofHours(1)))));
        assertThat(failure).isInstanceOf(ConnectionStoreException.class)
            .hasMessageContaining("Redis at " + masked)
            .hasMessageContaining("register on socket '" + socket.value() + "'");
        assertThat(failure.getCause()).isNotNull();
        assertNoPassword(failure, password);
        assertThat(failureOf(registry.count(socket))).isInstanceOf(ConnectionStoreException.class);

        server.start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
            .untilAsserted(() -> join(registry.register(connection(socket, "after", Instant.now().plus(Duration.ofHours(1))))));
        assertThat(join(registry.find(socket, ConnectionId.of("after")))).isPresent();
        assertThat(join(registry.count(socket))).isEqualTo(1L);
      }
      assertThat(logs.lines()).isNotEmpty().noneMatch(line -> line.contains(password));
    }
  }

  @Test
  void aServerThatIsDownAtStartIsUsedOnceItAnswers() {
    SocketName socket = freshSocket();
    try (RedisServers.Throwaway server = RedisServers.throwaway(null)) {
      try (RedisConnectionRegistry registry = RedisConnectionRegistry.connect(
          RedisRegistryConfig.builder().uri(server.url()).commandTimeout(SHORT_TIMEOUT).build())) {
        assertThat(failureOf(registry.count(socket))).isInstanceOf(ConnectionStoreException.class)
            .hasMessageContaining("Redis at redis://127.0.0.1:" + server.port + " could not be reached (count on socket");

        server.start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
            .untilAsserted(() -> assertThat(join(registry.count(socket))).isZero());
      }
    }
  }

  @Test
  void thePasswordInTheUrlIsUsedAndNeverShown() {
    String password = "pw-" + UUID.randomUUID();
    String wrong = "wrong-" + UUID.randomUUID();
    SocketName socket = freshSocket();
    try (LogCapture logs = new LogCapture();
        RedisServers.Throwaway server = RedisServers.throwaway(password)) {
      server.start();
      RedisRegistryConfig right = RedisRegistryConfig.builder().uri(server.url()).commandTimeout(SHORT_TIMEOUT).build();
      assertThat(right.toString()).doesNotContain(password);
      try (RedisConnectionRegistry registry = RedisConnectionRegistry.connect(right)) {
        Connection c = connection(socket, "with-password", Instant.now().plus(Duration.ofHours(1)));
        join(registry.register(c));
        assertThat(join(registry.find(socket, c.id()))).contains(c);
        assertThat(registry.toString()).doesNotContain(password);
      }

      String wrongUrl = "redis://:" + wrong + "@127.0.0.1:" + server.port;
      try (RedisConnectionRegistry registry = RedisConnectionRegistry.connect(
          RedisRegistryConfig.builder().uri(wrongUrl).commandTimeout(SHORT_TIMEOUT).build())) {
        Throwable failure = failureOf(registry.count(socket));
        assertThat(failure).isInstanceOf(ConnectionStoreException.class)
            .hasMessageContaining("Redis at redis://:****@127.0.0.1:" + server.port);
        assertNoPassword(failure, wrong);
        assertNoPassword(failure, password);
      }

      try (RedisConnectionRegistry registry = RedisConnectionRegistry.connect(
          RedisRegistryConfig.builder().uri("redis://127.0.0.1:" + server.port).commandTimeout(SHORT_TIMEOUT).build())) {
        Throwable failure = failureOf(registry.count(socket));
        assertThat(failure).isInstanceOf(ConnectionStoreException.class);
        assertThat(chain(failure)).anyMatch(m -> m.contains("NOAUTH"));
      }
      assertThat(logs.lines()).isNotEmpty()
          .noneMatch(line -> line.contains(password))
          .noneMatch(line -> line.contains(wrong));
    }
  }

  @Test
  void aClosedRegistryRefusesCallsAtOnce() {
    RedisConnectionRegistry registry = RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(RedisServers.standaloneUrl()));
    registry.close();
    registry.close();
    assertThatThrownBy(() -> registry.count(freshSocket()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  // ---------------------------------------------------------------- groups

  @Test
  void eachGroupKeepsItsMembersInAHashSlotOfItsOwnAndTheConnectionsRecordInItsSocketsSlot() {
    SocketName socket = freshSocket();
    String url = RedisServers.clusterUrl();
    ConnectionId id = ConnectionId.of("x}{y");
    GroupName hostile = GroupName.of("{room}%7D}");
    List<GroupName> groups = new ArrayList<>(List.of(hostile, GroupName.user("ada")));
    for (int i = 0; i < 20; i++) {
      groups.add(GroupName.of("room-" + i));
    }
    try (RedisConnectionRegistry registry = RedisConnectionRegistry.connect(RedisRegistryConfig.cluster(url))) {
      join(registry.register(connection(socket, id.value(), Instant.now().plus(Duration.ofHours(1)))));
      for (GroupName g : groups) {
        assertThat(join(registry.join(socket, g, id))).isTrue();
      }

      String record = "nws:{" + socket.value() + "}:groups:" + id.value();
      RedisClusterClient client = RedisClusterClient.create(seeds(url));
      try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
        RedisAdvancedClusterCommands<String, String> redis = connection.sync();
        assertThat(redis.clusterKeyslot(record)).isEqualTo(SlotHash.getSlot("{" + socket.value() + "}"));
        assertThat(redis.zrange(record, 0, -1)).containsExactlyInAnyOrderElementsOf(groups.stream().map(GroupName::key).toList());

        Set<Long> slots = new HashSet<>();
        for (GroupName g : groups) {
          String tag = socket.value() + "/" + g.key().replace("%", "%25").replace("}", "%7D");
          List<String> memberKeys = List.of("nws:{" + tag + "}:exp", "nws:{" + tag + "}:ids");
          for (String key : memberKeys) {
            assertThat(redis.clusterKeyslot(key)).as(key).isEqualTo(SlotHash.getSlot(tag));
          }
          assertThat(redis.zrange(memberKeys.get(1), 0, -1)).as(g.toString()).containsExactly(id.value());
          assertThat(redis.pttl(memberKeys.get(0))).isPositive();
          slots.add(redis.clusterKeyslot(memberKeys.get(0)));
        }
        assertThat(slots).as("the groups spread over many slots").hasSizeGreaterThan(10);

        assertThat(join(registry.unregister(socket, id))).isTrue();
        assertThat(redis.exists(record)).isZero();
        for (GroupName g : groups) {
          assertThat(join(registry.countMembers(socket, g))).isZero();
        }
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void expiredMembersArePhysicallyRemovedAndGroupKeysExpire() {
    SocketName socket = freshSocket();
    MutableClock clock = new MutableClock(Instant.now());
    String url = RedisServers.standaloneUrl();
    GroupName room = GroupName.of("room");
    String tag = "nws:{" + socket.value() + "/g:room}:";
    List<String> memberKeys = List.of(tag + "exp", tag + "ids");
    RedisClient client = RedisClient.create(url);
    try (RedisConnectionRegistry registry = RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(url), clock);
        StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      for (int i = 0; i < 3; i++) {
        join(registry.register(connection(socket, "soon-" + i, clock.instant().plus(Duration.ofMinutes(1)))));
        assertThat(join(registry.join(socket, room, ConnectionId.of("soon-" + i)))).isTrue();
      }
      join(registry.register(connection(socket, "later", clock.instant().plus(Duration.ofHours(1)))));
      assertThat(join(registry.join(socket, room, ConnectionId.of("later")))).isTrue();
      // the group's keys live as long as their longest member, a connection's record as its entry
      assertThat(memberKeys).allSatisfy(key ->
          assertThat(redis.pttl(key)).isBetween(Duration.ofMinutes(59).toMillis(), Duration.ofHours(1).toMillis()));
      assertThat(redis.pttl("nws:{" + socket.value() + "}:groups:soon-0"))
          .isBetween(Duration.ofSeconds(50).toMillis(), Duration.ofMinutes(1).toMillis());

      clock.advance(Duration.ofMinutes(2));
      assertThat(join(registry.countMembers(socket, room))).isEqualTo(1L);
      assertThat(redis.zrange(memberKeys.get(0), 0, -1)).containsExactly("later");
      assertThat(redis.zrange(memberKeys.get(1), 0, -1)).containsExactly("later");

      for (int i = 0; i < 1200; i++) {
        ConnectionId id = ConnectionId.of("batch-" + i);
        join(registry.register(connection(socket, id.value(), clock.instant().plus(Duration.ofMinutes(1)))));
        join(registry.join(socket, room, id));
      }
      clock.advance(Duration.ofMinutes(2));
      List<ConnectionId> seen = new ArrayList<>();
      long delivered = join(registry.scanMembers(socket, room, 7, page -> {
        seen.addAll(page);
        return CompletableFuture.completedFuture(null);
      }));
      assertThat(delivered).isEqualTo(1L);
      assertThat(seen).containsExactly(ConnectionId.of("later"));
      assertThat(redis.zcard(memberKeys.get(0))).isEqualTo(1L);
      assertThat(redis.zcard(memberKeys.get(1))).isEqualTo(1L);

      assertThat(join(registry.leave(socket, room, ConnectionId.of("later")))).isTrue();
      assertThat(redis.exists(memberKeys.toArray(String[]::new))).as("an emptied group leaves no key").isZero();
    } finally {
      client.shutdown();
    }
  }

  @Test
  void joinsRacingUnregistersFromAnotherInstanceNeverLeaveAMemberBehind() {
    racesLeaveNoMember(RedisRegistryConfig.standalone(RedisServers.standaloneUrl()));
    racesLeaveNoMember(RedisRegistryConfig.cluster(RedisServers.clusterUrl()));
  }

  /**
   * Two registries on one server, as two app instances: one joins while the other unregisters the
   * same connections, so the unregister's member removal often lands before the join's member.
   */
  private static void racesLeaveNoMember(RedisRegistryConfig config) {
    SocketName socket = freshSocket();
    GroupName room = GroupName.of("race");
    try (RedisConnectionRegistry joining = RedisConnectionRegistry.connect(config);
        RedisConnectionRegistry leaving = RedisConnectionRegistry.connect(config)) {
      for (int round = 0; round < 5; round++) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          Connection c = connection(socket, "r" + round + "-" + i, Instant.now().plus(Duration.ofHours(1)));
          join(joining.register(c));
          all.add(joining.join(socket, room, c.id()).toCompletableFuture());
          all.add(leaving.unregister(socket, c.id()).toCompletableFuture());
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        assertThat(join(joining.countMembers(socket, room))).as("members left after round %d", round).isZero();
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static SocketName freshSocket() {
    return SocketName.of("b" + UUID.randomUUID().toString().replace("-", "").substring(0, 20));
  }

  private static Connection connection(SocketName socket, String id, Instant expiresAt) {
    Instant connected = expiresAt.minus(Duration.ofHours(2));
    return new Connection(socket, ConnectionId.of(id), Map.of("k", "v"), QueryParameters.empty(), connected, expiresAt);
  }

  /** The documented key layout: expiry ZSET, id ZSET, data HASH. */
  private static List<String> keys(String prefix, SocketName socket) {
    String base = prefix + "{" + socket.value() + "}:";
    return List.of(base + "exp", base + "ids", base + "data");
  }

  private static List<io.lettuce.core.RedisURI> seeds(String url) {
    return Arrays.stream(url.substring("redis://".length()).split(","))
        .map(hostPort -> io.lettuce.core.RedisURI.create("redis://" + hostPort))
        .toList();
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
  }

  /** The exception the stage failed with (unwrapped); fails the test if it succeeded. */
  private static Throwable failureOf(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
    } catch (CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("the call succeeded; a failure was expected");
  }

  private static List<String> chain(Throwable t) {
    List<String> messages = new ArrayList<>();
    for (Throwable x = t; x != null; x = x.getCause()) {
      messages.add(x.toString());
      for (Throwable s : x.getSuppressed()) {
        messages.add(s.toString());
      }
    }
    return messages;
  }

  private static void assertNoPassword(Throwable failure, String password) {
    assertThat(chain(failure)).noneMatch(m -> m.contains(password));
  }
}
