package dev.nitricws.adapters.nitric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketName;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the KV registry does on the wire: key layout, value shape, flow control, expiry by the
 * injected clock, error translation. The full registry contract runs in it-tests against the
 * local runtime's real KvStore.
 */
class NitricKvConnectionRegistryTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final SocketName CHAT = SocketName.of("chat");

  private final FakeKvStore kv = new FakeKvStore();
  @RegisterExtension
  final InProcessGrpc grpc = new InProcessGrpc("nitric-kv", kv);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  private NitricKvConnectionRegistry registry;

  @BeforeEach
  void start() {
    registry = NitricKvConnectionRegistry.builder(grpc.channel()).clock(clock).build();
  }

  @Test
  void aConnectionIsOneKeyNamedSocketSlashIdHoldingAJsonObject() {
    Map<String, List<String>> query = new LinkedHashMap<>();
    query.put("tag", List.of("b", "a", "b"));
    Connection c = new Connection(CHAT, ConnectionId.of("c/1"), Map.of("user", "ada"), new QueryParameters(query),
        clock.instant(), clock.instant().plus(Duration.ofHours(2)));

    join(registry.register(c));

    assertThat(kv.store("connections")).containsOnlyKeys("chat/c/1");
    Struct value = kv.store("connections").get("chat/c/1");
    assertThat(value.getFieldsOrThrow("id").getStringValue()).isEqualTo("c/1");
    assertThat(value.getFieldsOrThrow("attributes").getStructValue().getFieldsOrThrow("user").getStringValue()).isEqualTo("ada");
    assertThat(value.getFieldsOrThrow("query").getStructValue().getFieldsOrThrow("tag").getListValue().getValuesList())
        .extracting(Value::getStringValue).containsExactly("b", "a", "b");
    assertThat(value.getFieldsOrThrow("connectedAt").getNumberValue()).isEqualTo((double) clock.instant().toEpochMilli());
    assertThat(join(registry.find(CHAT, c.id()))).contains(c);
  }

  @Test
  void aNamedStoreIsUsedForEveryCall() {
    NitricKvConnectionRegistry sessions = NitricKvConnectionRegistry.builder(grpc.channel()).store("sessions").clock(clock).build();

    join(sessions.register(connection("c1", Duration.ofHours(1))));

    assertThat(kv.store("sessions")).containsOnlyKeys("chat/c1");
    assertThat(kv.store("connections")).isEmpty();
    assertThat(join(sessions.count(CHAT))).isEqualTo(1L);
    assertThatThrownBy(() -> NitricKvConnectionRegistry.builder(grpc.channel()).store("no/slash"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("store name 'no/slash'");
  }

  @Test
  void expiryIsJudgedByTheInjectedClockAndExpiredEntriesAreDeletedWhenMet() {
    join(registry.register(connection("short", Duration.ofMinutes(5))));
    join(registry.register(connection("long", Duration.ofHours(5))));
    assertThat(join(registry.count(CHAT))).isEqualTo(2L);

    clock.advance(Duration.ofMinutes(10));

    assertThat(join(registry.find(CHAT, ConnectionId.of("short")))).isEmpty();
    assertThat(kv.store("connections")).containsOnlyKeys("chat/long");
    assertThat(join(registry.count(CHAT))).isEqualTo(1L);
    assertThat(join(registry.unregister(CHAT, ConnectionId.of("long")))).isTrue();
    assertThat(kv.store("connections")).isEmpty();
  }

  @Test
  void aScanHoldsAtMostOnePageOfKeysUntilItsConsumerIsDone() {
    for (int i = 0; i < 100; i++) {
      join(registry.register(connection(String.format("c%03d", i), Duration.ofHours(1))));
    }
    List<CompletableFuture<Void>> gates = Collections.synchronizedList(new ArrayList<>());
    List<ConnectionId> seen = Collections.synchronizedList(new ArrayList<>());

    CompletionStage<Long> scan = registry.scan(CHAT, 10, page -> {
      seen.addAll(page);
      CompletableFuture<Void> gate = new CompletableFuture<>();
      gates.add(gate);
      return gate;
    });

    await().atMost(WAIT).until(() -> gates.size() == 1);
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> gates.size() == 1);
    assertThat(kv.keysSent.get()).as("keys the runtime sent before the first page was consumed").isLessThanOrEqualTo(10);
    for (int page = 0; page < 10; page++) {
      int index = page;
      await().atMost(WAIT).until(() -> gates.size() > index);
      assertThat(kv.keysSent.get()).isLessThanOrEqualTo(10 * (page + 1));
      gates.get(index).complete(null);
    }
    assertThat(join(scan)).isEqualTo(100L);
    assertThat(seen).hasSize(100).doesNotHaveDuplicates();
  }

  @Test
  void aScanSkipsKeysThatDoNotHoldConnections() {
    join(registry.register(connection("good", Duration.ofHours(1))));
    kv.store("connections").put("chat/bad\u0001id", Struct.getDefaultInstance());
    kv.store("connections").put("chat/junk", Struct.newBuilder()
        .putFields("expiresAt", Value.newBuilder().setStringValue("tomorrow").build()).build());

    assertThat(scanAll(10)).containsExactly(ConnectionId.of("good"));
    assertThat(registry.find(CHAT, ConnectionId.of("junk")).toCompletableFuture())
        .failsWithin(WAIT).withThrowableThat()
        .havingCause().isInstanceOf(ConnectionStoreException.class)
        .withMessageContaining("the value of key 'chat/junk' is not a connection");
  }

  @Test
  void storeFailuresBecomeConnectionStoreExceptionsKeepingTheCause() {
    kv.failure = Status.UNAVAILABLE.withDescription("kv down");
    Connection c = connection("c1", Duration.ofHours(1));

    List<CompletionStage<?>> calls = List.of(registry.register(c), registry.find(CHAT, c.id()),
        registry.unregister(CHAT, c.id()), registry.count(CHAT), registry.scan(CHAT, 10, p -> null));

    for (CompletionStage<?> call : calls) {
      assertThat(call.toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
          .havingCause().isInstanceOf(ConnectionStoreException.class)
          .withMessageStartingWith("Nitric KV store 'connections' at ")
          .withMessageContaining("UNAVAILABLE: kv down")
          .withCauseInstanceOf(StatusRuntimeException.class);
    }
  }

  @Test
  void badArgumentsAreRefusedAtOnce() {
    assertThatThrownBy(() -> registry.scan(CHAT, 0, p -> null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> registry.register(null)).isInstanceOf(NullPointerException.class);
    Connection forever = new Connection(CHAT, ConnectionId.of("x"), Map.of(), QueryParameters.empty(),
        clock.instant(), Instant.MAX);
    assertThatThrownBy(() -> registry.register(forever)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expiresAt");
  }

  @Test
  void timesBeyondWhatADoubleHoldsExactlyAreStoredAsText() {
    Instant far = Instant.ofEpochMilli((1L << 53) + 1);
    Connection c = new Connection(CHAT, ConnectionId.of("far"), Map.of(), QueryParameters.empty(), clock.instant(), far);

    Struct value = ConnectionCodec.encode(c);

    assertThat(value.getFieldsOrThrow("expiresAt").getStringValue()).isEqualTo(Long.toString((1L << 53) + 1));
    assertThat(ConnectionCodec.decode(CHAT, c.id(), value)).isEqualTo(c);
  }

  private List<ConnectionId> scanAll(int pageSize) {
    List<ConnectionId> ids = Collections.synchronizedList(new ArrayList<>());
    join(registry.scan(CHAT, pageSize, page -> {
      ids.addAll(page);
      return CompletableFuture.completedFuture(null);
    }));
    return ids;
  }

  private Connection connection(String id, Duration life) {
    return new Connection(CHAT, ConnectionId.of(id), Map.of(), QueryParameters.empty(), clock.instant(),
        clock.instant().plus(life));
  }

  private static <T> T join(CompletionStage<T> stage) {
    assertThat(stage.toCompletableFuture()).succeedsWithin(WAIT);
    return stage.toCompletableFuture().join();
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }
}
