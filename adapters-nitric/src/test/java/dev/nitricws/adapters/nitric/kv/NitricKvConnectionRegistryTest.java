package dev.nitricws.adapters.nitric.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.nitricws.adapters.nitric.InProcessGrpc;
import dev.nitricws.contract.MutableClock;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketName;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the KV registry does on the wire: key layout, value shape, flow control, expiry by the
 * injected clock, error translation, and the same for group memberships. The full registry
 * contract runs in {@link NitricKvRegistryContractTest} and in it-tests against the local
 * runtime's real KvStore.
 */
class NitricKvConnectionRegistryTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final SocketName CHAT = SocketName.of("chat");
  private static final GroupName LOBBY = GroupName.of("lobby");

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
  void aConnectionIsAnEntryKeyHoldingItAsJsonAndAMemberKeyCarryingItsIdAndExpiry() {
    Map<String, List<String>> query = new LinkedHashMap<>();
    query.put("tag", List.of("b", "a", "b"));
    Instant expires = clock.instant().plus(Duration.ofHours(2));
    Connection c = new Connection(CHAT, ConnectionId.of("c/1.x"), Map.of("user", "ada"), new QueryParameters(query),
        clock.instant(), expires);

    join(registry.register(c));

    String member = "chat.m.c_2F1_2Ex." + expires.toEpochMilli();
    assertThat(kv.store("connections")).containsOnlyKeys("chat.e.c_2F1_2Ex", member);
    Struct value = kv.store("connections").get("chat.e.c_2F1_2Ex");
    assertThat(value.getFieldsOrThrow("id").getStringValue()).isEqualTo("c/1.x");
    assertThat(value.getFieldsOrThrow("attributes").getStructValue().getFieldsOrThrow("user").getStringValue()).isEqualTo("ada");
    assertThat(value.getFieldsOrThrow("query").getStructValue().getFieldsOrThrow("tag").getListValue().getValuesList())
        .extracting(Value::getStringValue).containsExactly("b", "a", "b");
    assertThat(value.getFieldsOrThrow("connectedAt").getNumberValue()).isEqualTo((double) clock.instant().toEpochMilli());
    assertThat(kv.store("connections").get(member).getFieldsMap()).containsOnlyKeys("expiresAt");
    assertThat(kv.store("connections").get(member).getFieldsOrThrow("expiresAt").getNumberValue())
        .isEqualTo((double) expires.toEpochMilli());
    assertThat(join(registry.find(CHAT, c.id()))).contains(c);
  }

  @Test
  void eachOperationCostsTheCallsTheLayoutPromises() {
    Connection c = connection("c1", Duration.ofHours(1));

    assertThat(calls(() -> registry.register(c))).as("register").isEqualTo("get 1, set 2, delete 0, scan 0");
    assertThat(calls(() -> registry.register(c))).as("register again").isEqualTo("get 1, set 2, delete 0, scan 0");
    Connection renewed = connection("c1", Duration.ofHours(2));
    assertThat(calls(() -> registry.register(renewed))).as("renewal").isEqualTo("get 1, set 2, delete 1, scan 0");
    assertThat(kv.store("connections")).containsOnlyKeys("chat.e.c1", "chat.m.c1." + renewed.expiresAt().toEpochMilli());
    assertThat(calls(() -> registry.find(CHAT, c.id()))).as("find").isEqualTo("get 1, set 0, delete 0, scan 0");
    assertThat(calls(() -> registry.count(CHAT))).as("count").isEqualTo("get 0, set 0, delete 0, scan 1");
    assertThat(calls(() -> registry.unregister(CHAT, c.id()))).as("unregister: entry and groups flag read")
        .isEqualTo("get 2, set 0, delete 2, scan 0");
    assertThat(kv.store("connections")).isEmpty();
  }

  @Test
  void aNamedStoreIsUsedForEveryCall() {
    NitricKvConnectionRegistry sessions = NitricKvConnectionRegistry.builder(grpc.channel()).store("sessions").clock(clock).build();
    Connection c = connection("c1", Duration.ofHours(1));

    join(sessions.register(c));

    assertThat(kv.store("sessions")).containsOnlyKeys("chat.e.c1", "chat.m.c1." + c.expiresAt().toEpochMilli());
    assertThat(kv.store("connections")).isEmpty();
    assertThat(join(sessions.count(CHAT))).isEqualTo(1L);
    assertThatThrownBy(() -> NitricKvConnectionRegistry.builder(grpc.channel()).store("no/slash"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("store name 'no/slash'");
  }

  @Test
  void expiryIsJudgedByTheInjectedClockAndExpiredEntriesAreDeletedWhenMet() {
    join(registry.register(connection("short", Duration.ofMinutes(5))));
    Connection longLived = connection("long", Duration.ofHours(5));
    join(registry.register(longLived));
    assertThat(join(registry.count(CHAT))).isEqualTo(2L);

    clock.advance(Duration.ofMinutes(10));

    assertThat(join(registry.find(CHAT, ConnectionId.of("short")))).isEmpty();
    assertThat(kv.store("connections")).containsOnlyKeys("chat.e.long", "chat.m.long." + longLived.expiresAt().toEpochMilli());
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
  void aScanReadsNoValueForUnexpiredKeys() {
    for (int i = 0; i < 50; i++) {
      join(registry.register(connection("c" + i, Duration.ofHours(1))));
    }
    kv.getValueCalls.set(0);
    kv.deleteKeyCalls.set(0);

    assertThat(scanAll(7)).hasSize(50).doesNotHaveDuplicates();
    assertThat(join(registry.count(CHAT))).isEqualTo(50L);

    assertThat(kv.getValueCalls.get()).as("GetValue calls during the scans").isZero();
    assertThat(kv.deleteKeyCalls.get()).as("DeleteKey calls during the scans").isZero();
    assertThat(kv.scanKeysCalls.get()).isEqualTo(2);
  }

  @Test
  void aScanOfARuntimeThatReturnsEveryKeyAtOrAfterThePrefixStopsAtTheFirstKeyPastIt() {
    kv.scanOrder = FakeKvStore.ScanOrder.GREATER_OR_EQUAL;
    List<ConnectionId> inChat = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Connection c = connection("c" + i, Duration.ofHours(1));
      join(registry.register(c));
      inChat.add(c.id());
    }
    // sockets whose keys sort before and (many) after the chat socket's
    for (String other : List.of("cha", "chat-room", "chatroom", "lobby", "zoo")) {
      for (int i = 0; i < 40; i++) {
        join(registry.register(connection(SocketName.of(other), other + i, Duration.ofHours(1))));
      }
    }
    kv.keysSent.set(0);

    List<ConnectionId> seen = scanAll(3);

    assertThat(seen).containsExactlyElementsOf(inChat);
    assertThat(kv.keysSent.get()).as("keys sent: the 5 of chat and the first one past them").isLessThanOrEqualTo(6);
    await().atMost(WAIT).until(() -> kv.scansCancelled.get() == 1);
    assertThat(join(registry.count(CHAT))).isEqualTo(5L);
    assertThat(scanAll(SocketName.of("zoo"), 10)).hasSize(40);
    assertThat(scanAll(SocketName.of("nobody"), 10)).isEmpty();
  }

  @Test
  void expiredMemberKeysAreSkippedAndDeletedAndTheirEntryOnlyWhenItHasExpiredToo() {
    Connection gone = connection("gone", Duration.ofMinutes(5));
    Connection renewed = connection("renewed", Duration.ofHours(1));
    Connection live = connection("live", Duration.ofHours(1));
    join(registry.register(gone));
    join(registry.register(renewed));
    join(registry.register(live));
    // a member key an earlier registration of 'renewed' left behind, expiring before the current one
    String leftOver = "chat.m.renewed." + clock.instant().plus(Duration.ofMinutes(1)).toEpochMilli();
    kv.store("connections").put(leftOver, KvEntryCodec.member(clock.instant().plus(Duration.ofMinutes(1))));
    clock.advance(Duration.ofMinutes(10));

    assertThat(scanAll(10)).containsExactly(live.id(), renewed.id());

    await().atMost(WAIT).untilAsserted(() -> assertThat(kv.store("connections")).containsOnlyKeys(
        "chat.e.live", "chat.m.live." + live.expiresAt().toEpochMilli(),
        "chat.e.renewed", "chat.m.renewed." + renewed.expiresAt().toEpochMilli()));
    assertThat(join(registry.find(CHAT, renewed.id()))).contains(renewed);
  }

  @Test
  void repeatedMemberKeysOfOneIdAreDeliveredOnceAndTheStaleOnesDeleted() {
    Connection before = connection("a", Duration.ofHours(1));
    Connection dup = connection("dup", Duration.ofHours(2));
    Connection after = connection("z", Duration.ofHours(1));
    join(registry.register(before));
    join(registry.register(dup));
    join(registry.register(after));
    // what two registrations of 'dup' at the same moment can leave: a member key the entry does not name
    Instant staleExpiry = clock.instant().plus(Duration.ofMinutes(90));
    String stale = "chat.m.dup." + staleExpiry.toEpochMilli();
    kv.store("connections").put(stale, KvEntryCodec.member(staleExpiry));
    // and member keys of an id whose entry is gone
    for (int minutes : List.of(30, 60)) {
      Instant t = clock.instant().plus(Duration.ofMinutes(minutes));
      kv.store("connections").put("chat.m.ghost." + t.toEpochMilli(), KvEntryCodec.member(t));
    }
    kv.getValueCalls.set(0);

    // pages of one key: the repeats also span pages
    assertThat(scanAll(1)).containsExactly(before.id(), dup.id(), ConnectionId.of("ghost"), after.id());

    assertThat(kv.getValueCalls.get()).as("one read per repeat").isEqualTo(2);
    await().atMost(WAIT).untilAsserted(() -> assertThat(kv.store("connections").keySet())
        .doesNotContain(stale)
        .contains("chat.m.dup." + dup.expiresAt().toEpochMilli(), "chat.e.dup")
        .noneMatch(k -> k.startsWith("chat.m.ghost.")));
    assertThat(scanAll(10)).containsExactly(before.id(), dup.id(), after.id());
  }

  @Test
  void onARuntimeThatReturnsKeysUnsortedEveryIdIsDeliveredAndARepeatedIdCanComeTwice() {
    kv.scanOrder = FakeKvStore.ScanOrder.UNSORTED;
    List<ConnectionId> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Connection c = connection("c" + i, Duration.ofHours(1));
      join(registry.register(c));
      ids.add(c.id());
    }
    join(registry.register(connection(SocketName.of("chatroom"), "elsewhere", Duration.ofHours(1))));

    assertThat(scanAll(4)).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(kv.getValueCalls.get()).isEqualTo(30 + 1); // the registrations' reads only

    // the documented limit: a stale member key away from its twin is not recognised
    Instant staleExpiry = clock.instant().plus(Duration.ofMinutes(30)).plusMillis(7);
    kv.store("connections").put("chat.m.c3." + staleExpiry.toEpochMilli(), KvEntryCodec.member(staleExpiry));
    List<ConnectionId> withTwin = scanAll(4);
    assertThat(withTwin).hasSize(31).containsAll(ids);
    assertThat(withTwin.stream().filter(ConnectionId.of("c3")::equals)).hasSize(2);
  }

  @Test
  void anIdWhoseKeyWouldBeTooLongIsRefusedAtRegisterNamingItAndNothingIsStored() {
    ConnectionId tooLong = ConnectionId.of("日".repeat(ConnectionId.MAX_LENGTH));
    Connection c = new Connection(CHAT, tooLong, Map.of(), QueryParameters.empty(), clock.instant(),
        clock.instant().plus(Duration.ofHours(1)));

    assertThatThrownBy(() -> registry.register(c)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connection id '" + "日".repeat(40) + "...'")
        .hasMessageContaining("key of 2325 bytes")
        .hasMessageContaining("at most 1024 bytes");
    assertThat(join(registry.find(CHAT, tooLong))).isEmpty();
    assertThat(join(registry.unregister(CHAT, tooLong))).isFalse();

    assertThat(kv.store("connections")).isEmpty();
    assertThat(kv.getValueCalls.get() + kv.setValueCalls.get() + kv.deleteKeyCalls.get()).as("calls to the store").isZero();
  }

  @Test
  void notFoundFromDeleteKeyCountsAsDone() {
    kv.deleteMissingIsNotFound = true;
    Connection c = connection("c1", Duration.ofHours(1));
    join(registry.register(c));
    kv.store("connections").remove("chat.m.c1." + c.expiresAt().toEpochMilli());
    assertThat(join(registry.unregister(CHAT, c.id()))).isTrue();
    assertThat(join(registry.unregister(CHAT, c.id()))).isFalse();

    Connection old = connection("old", Duration.ofMinutes(5));
    join(registry.register(old));
    kv.store("connections").remove("chat.m.old." + old.expiresAt().toEpochMilli());
    Connection renewed = connection("old", Duration.ofHours(1));
    join(registry.register(renewed));
    assertThat(scanAll(10)).containsExactly(renewed.id());

    Connection expiring = connection("expiring", Duration.ofMinutes(5));
    join(registry.register(expiring));
    kv.store("connections").remove("chat.m.expiring." + expiring.expiresAt().toEpochMilli());
    clock.advance(Duration.ofMinutes(10));
    assertThat(join(registry.find(CHAT, expiring.id()))).isEmpty();
    assertThat(kv.store("connections")).doesNotContainKey("chat.e.expiring");
  }

  @Test
  void aScanSkipsKeysThatAreNotMemberKeysAndFindReportsAnEntryThatIsNotAConnection() {
    join(registry.register(connection("good", Duration.ofHours(1))));
    long later = clock.instant().plus(Duration.ofHours(1)).toEpochMilli();
    for (String junk : List.of("chat.m.bad/id." + later, "chat.m.noexpiry", "chat.m._41." + later, "chat.m.x.1.2")) {
      kv.store("connections").put(junk, Struct.getDefaultInstance());
    }
    kv.store("connections").put("chat.e.junk", Struct.newBuilder()
        .putFields("expiresAt", Value.newBuilder().setStringValue("tomorrow").build()).build());

    assertThat(scanAll(10)).containsExactly(ConnectionId.of("good"));
    assertThat(registry.find(CHAT, ConnectionId.of("junk")).toCompletableFuture())
        .failsWithin(WAIT).withThrowableThat()
        .havingCause().isInstanceOf(ConnectionStoreException.class)
        .withMessageContaining("the value of key 'chat.e.junk' is not a connection");
  }

  @Test
  void storeFailuresBecomeConnectionStoreExceptionsKeepingTheCause() {
    kv.failure = Status.UNAVAILABLE.withDescription("kv down");
    Connection c = connection("c1", Duration.ofHours(1));

    List<CompletionStage<?>> calls = List.of(registry.register(c), registry.find(CHAT, c.id()),
        registry.unregister(CHAT, c.id()), registry.count(CHAT), registry.scan(CHAT, 10, p -> null),
        registry.join(CHAT, LOBBY, c.id()), registry.leave(CHAT, LOBBY, c.id()), registry.groupsOf(CHAT, c.id()),
        registry.countMembers(CHAT, LOBBY), registry.scanMembers(CHAT, LOBBY, 10, p -> null));

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

    Struct value = KvEntryCodec.encode(c);

    assertThat(value.getFieldsOrThrow("expiresAt").getStringValue()).isEqualTo(Long.toString((1L << 53) + 1));
    assertThat(KvEntryCodec.decode(CHAT, c.id(), value)).isEqualTo(c);
  }

  // ---------------------------------------------------------------- groups

  @Test
  void aJoinWritesTheGroupsFlagAJoinedKeyAndAGroupMemberKeyAndUnregisterDeletesThemAll() {
    Connection c = connection("c/1.x", Duration.ofHours(2));
    join(registry.register(c));

    assertThat(join(registry.join(CHAT, LOBBY, c.id()))).isTrue();

    long t = c.expiresAt().toEpochMilli();
    assertThat(kv.store("connections")).containsOnlyKeys("chat.e.c_2F1_2Ex", "chat.m.c_2F1_2Ex." + t,
        "chat.f.c_2F1_2Ex", "chat.j.c_2F1_2Ex.g-lobby." + t, "chat.g.g-lobby.c_2F1_2Ex." + t);
    Struct joined = kv.store("connections").get("chat.j.c_2F1_2Ex.g-lobby." + t);
    assertThat(joined.getFieldsOrThrow("group").getStringValue()).isEqualTo("g:lobby");
    assertThat(joined.getFieldsOrThrow("expiresAt").getNumberValue()).isEqualTo((double) t);
    assertThat(kv.store("connections").get("chat.g.g-lobby.c_2F1_2Ex." + t).getFieldsMap()).containsOnlyKeys("expiresAt");

    assertThat(join(registry.unregister(CHAT, c.id()))).isTrue();
    assertThat(kv.store("connections")).isEmpty();
  }

  @Test
  void eachGroupOperationCostsTheCallsTheLayoutPromisesAndRegisterCostsNoMore() {
    Connection c = connection("c1", Duration.ofHours(1));
    join(registry.register(c));

    assertThat(calls(() -> registry.join(CHAT, LOBBY, c.id()))).as("join").isEqualTo("get 2, set 3, delete 0, scan 0");
    assertThat(calls(() -> registry.join(CHAT, LOBBY, c.id()))).as("join again").isEqualTo("get 2, set 3, delete 0, scan 0");
    assertThat(calls(() -> registry.join(CHAT, GroupName.user("ada"), c.id()))).as("join a user's group")
        .isEqualTo("get 2, set 3, delete 0, scan 0");
    assertThat(calls(() -> registry.join(CHAT, LOBBY, ConnectionId.of("nobody")))).as("join of an unknown id")
        .isEqualTo("get 1, set 0, delete 0, scan 0");
    assertThat(calls(() -> registry.register(c))).as("register of a member").isEqualTo("get 1, set 2, delete 0, scan 0");
    assertThat(calls(() -> registry.countMembers(CHAT, LOBBY))).as("countMembers").isEqualTo("get 0, set 0, delete 0, scan 1");
    assertThat(calls(() -> registry.scanMembers(CHAT, LOBBY, 10, page -> CompletableFuture.completedFuture(null))))
        .as("scanMembers").isEqualTo("get 0, set 0, delete 0, scan 1");
    assertThat(calls(() -> registry.groupsOf(CHAT, c.id()))).as("groupsOf").isEqualTo("get 1, set 0, delete 0, scan 1");
    assertThat(calls(() -> registry.leave(CHAT, LOBBY, c.id()))).as("leave").isEqualTo("get 0, set 0, delete 2, scan 1");
    assertThat(calls(() -> registry.leave(CHAT, LOBBY, c.id()))).as("leave again").isEqualTo("get 0, set 0, delete 0, scan 1");
    // member key, entry, then the user's group: group member and joined key, and the flag
    assertThat(calls(() -> registry.unregister(CHAT, c.id()))).as("unregister of a member")
        .isEqualTo("get 2, set 0, delete 5, scan 1");
    assertThat(kv.store("connections")).isEmpty();
  }

  @Test
  void aGroupNameTooLongForAKeyIsHashedAndGroupsOfReadsItsNameFromTheJoinedKey() {
    Connection c = connection("c1", Duration.ofHours(1));
    join(registry.register(c));
    GroupName longest = GroupName.of("\ud83d\ude00".repeat(GroupName.MAX_LENGTH / 2));
    GroupName longestUser = GroupName.user("x".repeat(GroupName.MAX_LENGTH));

    for (GroupName g : List.of(longest, longestUser, LOBBY)) {
      assertThat(join(registry.join(CHAT, g, c.id()))).isTrue();
    }

    long t = c.expiresAt().toEpochMilli();
    String part = ConnectionKeys.groupPart(longest);
    assertThat(part).startsWith("h-").hasSize(ConnectionKeys.MAX_GROUP_PART);
    assertThat(kv.store("connections")).containsKeys("chat.j.c1." + part + "." + t, "chat.g." + part + ".c1." + t);
    assertThat(calls(() -> registry.groupsOf(CHAT, c.id()))).as("one read per hashed name")
        .isEqualTo("get 3, set 0, delete 0, scan 1");
    assertThat(join(registry.groupsOf(CHAT, c.id()))).containsExactlyInAnyOrder(longest, longestUser, LOBBY);
    assertThat(scanMembers(longest)).containsExactly(c.id());
    assertThat(join(registry.leave(CHAT, longest, c.id()))).isTrue();
    assertThat(join(registry.groupsOf(CHAT, c.id()))).containsExactlyInAnyOrder(longestUser, LOBBY);
  }

  @Test
  void membershipsExpireWithTheEntryTheyJoinedUnderAndAreDeletedWhenScansMeetThem() {
    Connection shortLived = connection("short", Duration.ofMinutes(5));
    Connection longLived = connection("long", Duration.ofHours(5));
    GroupName other = GroupName.of("other");
    for (Connection c : List.of(shortLived, longLived)) {
      join(registry.register(c));
      join(registry.join(CHAT, LOBBY, c.id()));
    }
    join(registry.join(CHAT, other, shortLived.id()));
    long s = shortLived.expiresAt().toEpochMilli();
    long l = longLived.expiresAt().toEpochMilli();
    clock.advance(Duration.ofMinutes(10));

    assertThat(scanMembers(LOBBY)).containsExactly(longLived.id());
    assertThat(kv.store("connections")).doesNotContainKeys("chat.g.g-lobby.short." + s, "chat.j.short.g-lobby." + s)
        .containsKeys("chat.g.g-other.short." + s, "chat.e.short");
    assertThat(join(registry.groupsOf(CHAT, shortLived.id()))).isEmpty();
    assertThat(join(registry.countMembers(CHAT, other))).isZero();

    // a scan of the socket meets the expired connection: its entry goes, and every membership with it
    assertThat(scanAll(10)).containsExactly(longLived.id());
    assertThat(kv.store("connections")).containsOnlyKeys("chat.e.long", "chat.m.long." + l, "chat.f.long",
        "chat.j.long.g-lobby." + l, "chat.g.g-lobby.long." + l);
  }

  @Test
  void aRenewalDoesNotExtendAMembershipButAJoinAfterItDoes() {
    Connection first = connection("c1", Duration.ofMinutes(5));
    join(registry.register(first));
    join(registry.join(CHAT, LOBBY, first.id()));
    Connection renewed = connection("c1", Duration.ofHours(1));
    join(registry.register(renewed));
    clock.advance(Duration.ofMinutes(10));

    assertThat(join(registry.find(CHAT, first.id()))).contains(renewed);
    assertThat(join(registry.groupsOf(CHAT, first.id()))).isEmpty();
    assertThat(join(registry.countMembers(CHAT, LOBBY))).isZero();

    assertThat(join(registry.join(CHAT, LOBBY, first.id()))).isTrue();
    assertThat(join(registry.groupsOf(CHAT, first.id()))).containsExactly(LOBBY);
    assertThat(scanMembers(LOBBY)).containsExactly(first.id());
  }

  @Test
  void findingAnExpiredConnectionDeletesItsMembershipsToo() {
    Connection c = connection("c1", Duration.ofMinutes(5));
    join(registry.register(c));
    join(registry.join(CHAT, LOBBY, c.id()));
    join(registry.join(CHAT, GroupName.user("ada"), c.id()));
    clock.advance(Duration.ofMinutes(10));

    assertThat(join(registry.find(CHAT, c.id()))).isEmpty();

    assertThat(kv.store("connections")).isEmpty();
  }

  @Test
  void aJoinThatFindsItsConnectionUnregisteredMeanwhileTakesItsKeysBack() {
    Connection c = connection("c1", Duration.ofHours(1));
    join(registry.register(c));
    String member = "chat.m.c1." + c.expiresAt().toEpochMilli();
    // an unregister that deletes the member key and the entry after the join wrote its keys and
    // before it reads the member key: it read the groups flag before the join wrote it
    kv.beforeGetValue = key -> {
      if (key.equals(member)) {
        kv.store("connections").remove(member);
        kv.store("connections").remove("chat.e.c1");
      }
    };

    assertThat(join(registry.join(CHAT, LOBBY, c.id()))).isFalse();

    assertThat(kv.store("connections")).isEmpty();
  }

  @Test
  void unregisterReadsTheGroupsFlagOnlyOnceTheMemberKeyIsGone() {
    Connection c = connection("c1", Duration.ofHours(1));
    join(registry.register(c));
    join(registry.join(CHAT, LOBBY, c.id()));
    String member = "chat.m.c1." + c.expiresAt().toEpochMilli();
    List<Boolean> memberKeyThere = Collections.synchronizedList(new ArrayList<>());
    // a join holds only if it reads the member key; so the flag must be read after that key is deleted
    kv.beforeGetValue = key -> {
      if (key.equals("chat.f.c1")) {
        memberKeyThere.add(kv.store("connections").containsKey(member));
      }
    };

    assertThat(join(registry.unregister(CHAT, c.id()))).isTrue();

    assertThat(memberKeyThere).containsExactly(false);
    assertThat(kv.store("connections")).isEmpty();
  }

  @Test
  void aJoinThatFindsItsConnectionRenewedMeanwhileJoinsUnderTheNewEntry() {
    Connection c = connection("c1", Duration.ofHours(1));
    join(registry.register(c));
    Connection renewed = connection("c1", Duration.ofHours(2));
    String oldMember = "chat.m.c1." + c.expiresAt().toEpochMilli();
    String newMember = "chat.m.c1." + renewed.expiresAt().toEpochMilli();
    // a renewal between the join's read of the entry and its read of the member key
    kv.beforeGetValue = key -> {
      if (key.equals(oldMember)) {
        kv.store("connections").put("chat.e.c1", KvEntryCodec.encode(renewed));
        kv.store("connections").put(newMember, KvEntryCodec.member(renewed.expiresAt()));
        kv.store("connections").remove(oldMember);
      }
    };

    assertThat(join(registry.join(CHAT, LOBBY, c.id()))).isTrue();

    long t = renewed.expiresAt().toEpochMilli();
    assertThat(kv.store("connections")).containsOnlyKeys("chat.e.c1", newMember, "chat.f.c1",
        "chat.j.c1.g-lobby." + t, "chat.g.g-lobby.c1." + t);
  }

  @Test
  void aJoinGivesUpWhenTheEntryStaysButItsMemberKeyNeverComes() {
    Connection c = connection("c1", Duration.ofHours(1));
    join(registry.register(c));
    // what a registration that failed half-way leaves: the entry without its member key
    kv.store("connections").remove("chat.m.c1." + c.expiresAt().toEpochMilli());

    assertThat(join(registry.join(CHAT, LOBBY, c.id()))).isFalse();

    assertThat(kv.store("connections").keySet()).containsOnly("chat.e.c1", "chat.f.c1");
    assertThat(join(registry.countMembers(CHAT, LOBBY))).isZero();
    assertThat(join(registry.unregister(CHAT, c.id()))).isTrue();
    assertThat(kv.store("connections")).isEmpty();
  }

  @Test
  void anIdTooLongForAMembershipKeyIsRefusedByJoinNamingItAndNothingIsWritten() {
    ConnectionId id = ConnectionId.of("\u65e5".repeat(111) + "a");
    join(registry.register(new Connection(CHAT, id, Map.of(), QueryParameters.empty(), clock.instant(),
        clock.instant().plus(Duration.ofHours(1)))));

    assertThat(registry.join(CHAT, LOBBY, id).toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
        .havingCause().isInstanceOf(IllegalArgumentException.class)
        .withMessageContaining("112 characters")
        .withMessageContaining("key of 1029 bytes");

    assertThat(kv.store("connections")).hasSize(2);
  }

  @Test
  void aMemberScanHoldsAtMostOnePageOfKeysUntilItsConsumerIsDone() {
    for (int i = 0; i < 30; i++) {
      Connection c = connection(String.format("c%02d", i), Duration.ofHours(1));
      join(registry.register(c));
      join(registry.join(CHAT, LOBBY, c.id()));
    }
    kv.keysSent.set(0);
    List<CompletableFuture<Void>> gates = Collections.synchronizedList(new ArrayList<>());

    CompletionStage<Long> scan = registry.scanMembers(CHAT, LOBBY, 10, page -> {
      CompletableFuture<Void> gate = new CompletableFuture<>();
      gates.add(gate);
      return gate;
    });

    for (int page = 0; page < 3; page++) {
      int index = page;
      await().atMost(WAIT).until(() -> gates.size() > index);
      assertThat(kv.keysSent.get()).isLessThanOrEqualTo(10 * (page + 1));
      gates.get(index).complete(null);
    }
    assertThat(join(scan)).isEqualTo(30L);
  }

  @Test
  void onARuntimeThatReturnsKeysUnsortedEveryMemberIsDelivered() {
    kv.scanOrder = FakeKvStore.ScanOrder.UNSORTED;
    List<ConnectionId> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Connection c = connection("c" + i, Duration.ofHours(1));
      join(registry.register(c));
      join(registry.join(CHAT, LOBBY, c.id()));
      join(registry.join(CHAT, GroupName.of("lobby2"), c.id()));
      ids.add(c.id());
    }

    assertThat(scanMembers(LOBBY)).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(join(registry.groupsOf(CHAT, ids.get(3)))).containsExactlyInAnyOrder(LOBBY, GroupName.of("lobby2"));
  }

  private List<ConnectionId> scanAll(int pageSize) {
    return scanAll(CHAT, pageSize);
  }

  private List<ConnectionId> scanMembers(GroupName group) {
    List<ConnectionId> ids = Collections.synchronizedList(new ArrayList<>());
    join(registry.scanMembers(CHAT, group, 10, page -> {
      ids.addAll(page);
      return CompletableFuture.completedFuture(null);
    }));
    return ids;
  }

  private List<ConnectionId> scanAll(SocketName socket, int pageSize) {
    List<ConnectionId> ids = Collections.synchronizedList(new ArrayList<>());
    join(registry.scan(socket, pageSize, page -> {
      ids.addAll(page);
      return CompletableFuture.completedFuture(null);
    }));
    return ids;
  }

  private Connection connection(String id, Duration life) {
    return connection(CHAT, id, life);
  }

  private Connection connection(SocketName socket, String id, Duration life) {
    return new Connection(socket, ConnectionId.of(id), Map.of(), QueryParameters.empty(), clock.instant(),
        clock.instant().plus(life));
  }

  /** The calls {@code action} made to the store, once its stage completed. */
  private String calls(java.util.function.Supplier<CompletionStage<?>> action) {
    int get = kv.getValueCalls.get();
    int set = kv.setValueCalls.get();
    int delete = kv.deleteKeyCalls.get();
    int scan = kv.scanKeysCalls.get();
    join(action.get());
    return "get " + (kv.getValueCalls.get() - get) + ", set " + (kv.setValueCalls.get() - set)
        + ", delete " + (kv.deleteKeyCalls.get() - delete) + ", scan " + (kv.scanKeysCalls.get() - scan);
  }

  private static <T> T join(CompletionStage<T> stage) {
    assertThat(stage.toCompletableFuture()).succeedsWithin(WAIT);
    return stage.toCompletableFuture().join();
  }
}
