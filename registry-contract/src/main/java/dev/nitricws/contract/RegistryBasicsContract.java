package dev.nitricws.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The first part of the {@link ConnectionRegistryContract}: what a single connection does in the
 * store. Register, find and unregister (an upsert, a yes/no unregister, unknown ids, sockets kept
 * apart), and hostile or unusual values round-tripping exactly (Unicode, quotes and pattern
 * characters in ids, attributes and query parameters; repeated query keys; times to the
 * millisecond).
 *
 * <p>Also holds what every part shares: the {@link #registry()} hook, the class-wide timeout, and
 * the helpers a store's own tests may use too ({@link #freshSocket()}, {@link #connection}, {@link
 * #registerMany}, {@link #scanAll}, {@link #join}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class RegistryBasicsContract {

  /** The registry under test; may be the same instance for every test. */
  protected abstract ConnectionRegistry registry();

  // ---------------------------------------------------------------- register, find, unregister

  @Test
  public final void registeredConnectionIsFoundWithEverythingItHeld() {
    SocketName socket = freshSocket();
    Connection c = connection(socket, "c1", Map.of("user", "ada", "room", "lobby"),
        query(Map.of("token", List.of("t1"), "tag", List.of("a", "b"))));

    join(registry().register(c));

    assertThat(join(registry().find(socket, c.id()))).contains(c);
  }

  @Test
  public final void registerIsAnIdempotentUpsert() {
    SocketName socket = freshSocket();
    Connection first = connection(socket, "c1", Map.of("v", "1"), QueryParameters.empty());
    Connection second = first.withAttribute("v", "2");

    join(registry().register(first));
    join(registry().register(first));
    join(registry().register(second));

    assertThat(join(registry().count(socket))).isEqualTo(1L);
    assertThat(join(registry().find(socket, first.id()))).contains(second);
    assertThat(scanAll(socket, 100)).containsExactly(first.id());
  }

  @Test
  public final void unregisterSaysWhetherTheConnectionWasThere() {
    SocketName socket = freshSocket();
    Connection c = connection(socket, "c1");
    join(registry().register(c));

    assertThat(join(registry().unregister(socket, c.id()))).isTrue();
    assertThat(join(registry().unregister(socket, c.id()))).isFalse();
    assertThat(join(registry().find(socket, c.id()))).isEmpty();
    assertThat(join(registry().count(socket))).isZero();
  }

  @Test
  public final void unknownIdsAreAbsentEverywhere() {
    SocketName socket = freshSocket();
    ConnectionId unknown = ConnectionId.of("never-registered-" + UUID.randomUUID());

    assertThat(join(registry().find(socket, unknown))).isEmpty();
    assertThat(join(registry().unregister(socket, unknown))).isFalse();
    assertThat(join(registry().count(socket))).isZero();
    assertThat(scanAll(socket, 10)).isEmpty();
  }

  @Test
  public final void socketsAreKeptApart() {
    SocketName a = freshSocket();
    SocketName b = freshSocket();
    SocketName prefixOfA = SocketName.of(a.value().substring(0, a.value().length() - 1));
    Connection inA = connection(a, "same-id");
    Connection inB = connection(b, "same-id", Map.of("where", "b"), QueryParameters.empty());
    join(registry().register(inA));
    join(registry().register(inB));
    join(registry().register(connection(a, "only-in-a")));

    assertThat(join(registry().find(a, inA.id()))).contains(inA);
    assertThat(join(registry().find(b, inB.id()))).contains(inB);
    assertThat(join(registry().count(a))).isEqualTo(2L);
    assertThat(join(registry().count(b))).isEqualTo(1L);
    assertThat(join(registry().count(prefixOfA))).isZero();
    assertThat(scanAll(prefixOfA, 10)).isEmpty();

    assertThat(join(registry().unregister(b, inB.id()))).isTrue();
    assertThat(join(registry().find(a, inA.id()))).contains(inA);
  }

  // ---------------------------------------------------------------- hostile and unusual values

  @Test
  public final void unicodeAndSpecialCharactersRoundTrip() {
    SocketName socket = freshSocket();
    List<String> nasty = List.of(
        "plain",
        "quote' double\" back\\slash",
        "'; DROP TABLE connections; --",
        "{\"json\": [1, 2, {\"x\": null}], \"esc\": \"\\u0041\"}",
        "100% _like_ [glob]* ?pattern {a,b}",
        "日本語 ключ émoji 🙂👍🏽 مرحبا",
        "colon:slash/percent%25 hash#tag $dollar",
        "tab\tnew\nline\rcarriage",
        "a".repeat(2_000));
    List<Connection> connections = new ArrayList<>();
    int i = 0;
    for (String value : nasty) {
      String head = value.codePoints().limit(20)
          .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
      String idText = (i % 2 == 0 ? "id-" : "ид/🙂:{tag}*'\"%_-") + i + "-" + head.strip();
      ConnectionId id = ConnectionId.of(idText.replaceAll("\\p{Cntrl}", "."));
      Map<String, String> attributes = new LinkedHashMap<>();
      attributes.put("value", value);
      attributes.put(value.length() > 200 ? "long" : value, "as a name");
      QueryParameters query = query(Map.of(value.length() > 200 ? "long" : value, List.of(value, value + "2")));
      Connection c = new Connection(socket, id, attributes, query, now(), now().plus(Duration.ofHours(1)));
      connections.add(c);
      join(registry().register(c));
      i++;
    }

    for (Connection c : connections) {
      assertThat(join(registry().find(socket, c.id()))).as("find %s", c.id()).contains(c);
    }
    assertThat(scanAll(socket, 3)).containsExactlyInAnyOrderElementsOf(
        connections.stream().map(Connection::id).toList());
    for (Connection c : connections) {
      assertThat(join(registry().unregister(socket, c.id()))).as("unregister %s", c.id()).isTrue();
    }
    assertThat(join(registry().count(socket))).isZero();
  }

  @Test
  public final void idsThatLookLikePatternsMatchOnlyThemselves() {
    SocketName socket = freshSocket();
    Connection star = connection(socket, "*");
    Connection percent = connection(socket, "%");
    Connection plain = connection(socket, "abc");
    join(registry().register(star));
    join(registry().register(percent));
    join(registry().register(plain));

    assertThat(join(registry().find(socket, ConnectionId.of("a*")))).isEmpty();
    assertThat(join(registry().find(socket, ConnectionId.of("a%")))).isEmpty();
    assertThat(join(registry().find(socket, ConnectionId.of("_bc")))).isEmpty();
    assertThat(join(registry().unregister(socket, ConnectionId.of("a_c")))).isFalse();
    assertThat(join(registry().unregister(socket, ConnectionId.of("*")))).isTrue();
    assertThat(scanAll(socket, 10)).containsExactlyInAnyOrder(percent.id(), plain.id());
  }

  @Test
  public final void repeatedQueryKeysKeepEveryValueInOrder() {
    SocketName socket = freshSocket();
    Map<String, List<String>> values = new LinkedHashMap<>();
    values.put("tag", List.of("z", "a", "m", "a"));
    values.put("empty", List.of(""));
    values.put("none", List.of());
    Connection c = connection(socket, "q", Map.of(), query(values));
    join(registry().register(c));

    Connection found = join(registry().find(socket, c.id())).orElseThrow();
    assertThat(found.query().all("tag")).containsExactly("z", "a", "m", "a");
    assertThat(found.query().all("empty")).containsExactly("");
    assertThat(found.query().all("none")).isEmpty();
    assertThat(found.attributes()).isEmpty();
  }

  @Test
  public final void timesRoundTripToTheMillisecond() {
    SocketName socket = freshSocket();
    Instant connected = Instant.parse("2026-01-02T03:04:05.678Z").plusNanos(999_999);
    Instant expires = Instant.now().plus(Duration.ofDays(3650)).plusNanos(123_456);
    Connection c = connection(socket, "t", connected, expires);
    join(registry().register(c));

    Connection found = join(registry().find(socket, c.id())).orElseThrow();
    assertThat(found.connectedAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z"));
    assertThat(found.expiresAt()).isEqualTo(c.expiresAt());
  }

  // ---------------------------------------------------------------- helpers

  /** A socket name no other test (or earlier run) has used. */
  protected static SocketName freshSocket() {
    return SocketName.of("t" + UUID.randomUUID().toString().replace("-", "").substring(0, 20));
  }

  protected static Instant now() {
    return Instant.now();
  }

  protected static Connection connection(SocketName socket, String id) {
    return connection(socket, id, Map.of(), QueryParameters.empty());
  }

  protected static Connection connection(SocketName socket, String id, Map<String, String> attributes, QueryParameters query) {
    Instant now = now();
    return new Connection(socket, ConnectionId.of(id), attributes, query, now, now.plus(Duration.ofHours(2)));
  }

  /** A connection with no attributes nor query, connected at {@code connectedAt}, expiring at {@code expiresAt}. */
  protected static Connection connection(SocketName socket, String id, Instant connectedAt, Instant expiresAt) {
    return new Connection(socket, ConnectionId.of(id), Map.of(), QueryParameters.empty(), connectedAt, expiresAt);
  }

  protected static QueryParameters query(Map<String, List<String>> values) {
    return new QueryParameters(values);
  }

  /** Registers {@code n} connections, at most 256 at a time; returns their ids. */
  protected final Set<ConnectionId> registerMany(SocketName socket, String prefix, int n) {
    Set<ConnectionId> ids = new HashSet<>();
    Semaphore inFlight = new Semaphore(256);
    List<CompletableFuture<Void>> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Connection c = connection(socket, prefix + i);
      ids.add(c.id());
      inFlight.acquireUninterruptibly();
      all.add(registry().register(c).toCompletableFuture().whenComplete((v, e) -> inFlight.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    return ids;
  }

  /** Every id a scan delivers, in delivery order. */
  protected final List<ConnectionId> scanAll(SocketName socket, int pageSize) {
    List<ConnectionId> ids = Collections.synchronizedList(new ArrayList<>());
    long delivered = join(registry().scan(socket, pageSize, page -> {
      assertThat(page).isNotEmpty().hasSizeLessThanOrEqualTo(pageSize);
      ids.addAll(page);
      return CompletableFuture.completedFuture(null);
    }));
    assertThat(delivered).isEqualTo(ids.size());
    return ids;
  }

  protected static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException("registry call did not complete: " + e, e);
    }
  }
}
