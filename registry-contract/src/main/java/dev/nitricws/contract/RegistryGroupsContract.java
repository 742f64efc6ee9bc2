package dev.nitricws.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The groups part of the {@link ConnectionRegistryContract}: what {@link ConnectionGroups} does in
 * the same store as the registry. Join and leave, a user's connections, counts, member scans page
 * by page, memberships removed when the connection is unregistered (a disconnect or a prune) and
 * gone when its entry expires, and group names that are hostile to keys and patterns.
 *
 * <p>The store's class implements {@link ConnectionGroups} beside the registry; {@link #groups()}
 * is the registry seen as one, and may be overridden when the two are different objects.
 */
abstract class RegistryGroupsContract extends RegistryScanContract {

  /** The groups of the registry under test: by default the registry itself. */
  protected ConnectionGroups groups() {
    if (registry() instanceof ConnectionGroups groups) {
      return groups;
    }
    throw new AssertionError(registry().getClass().getName() + " does not implement ConnectionGroups: a store keeps"
        + " group memberships beside its connections (or override groups())");
  }

  // ---------------------------------------------------------------- join, leave, count

  @Test
  public final void joinedConnectionsAreMembersUntilTheyLeave() {
    SocketName socket = freshSocket();
    GroupName room = GroupName.of("lobby");
    Connection a = register(socket, "a");
    Connection b = register(socket, "b");
    register(socket, "c");

    assertThat(join(groups().join(socket, room, a.id()))).isTrue();
    assertThat(join(groups().join(socket, room, b.id()))).isTrue();

    assertThat(join(groups().countMembers(socket, room))).isEqualTo(2L);
    assertThat(members(socket, room, 10)).containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(join(groups().groupsOf(socket, a.id()))).containsExactly(room);

    assertThat(join(groups().leave(socket, room, a.id()))).isTrue();
    assertThat(join(groups().leave(socket, room, a.id()))).isFalse();
    assertThat(join(groups().countMembers(socket, room))).isEqualTo(1L);
    assertThat(members(socket, room, 10)).containsExactly(b.id());
    assertThat(join(groups().groupsOf(socket, a.id()))).isEmpty();
    assertThat(join(registry().find(socket, a.id()))).as("leaving a group keeps the connection").isPresent();
  }

  @Test
  public final void joinIsIdempotentAndAConnectionMayBeInManyGroups() {
    SocketName socket = freshSocket();
    Connection a = register(socket, "a");
    GroupName red = GroupName.of("red");
    GroupName blue = GroupName.of("blue");
    GroupName user = GroupName.user("ada");

    assertThat(join(groups().join(socket, red, a.id()))).isTrue();
    assertThat(join(groups().join(socket, red, a.id()))).isTrue();
    join(groups().join(socket, blue, a.id()));
    join(groups().join(socket, user, a.id()));

    assertThat(join(groups().countMembers(socket, red))).isEqualTo(1L);
    assertThat(members(socket, red, 10)).containsExactly(a.id());
    assertThat(join(groups().groupsOf(socket, a.id()))).containsExactlyInAnyOrder(red, blue, user);
  }

  @Test
  public final void onlyARegisteredUnexpiredConnectionJoins() {
    SocketName socket = freshSocket();
    GroupName room = GroupName.of("room");
    Instant past = now().minus(Duration.ofHours(3));
    Connection expired = connection(socket, "old", past, past.plus(Duration.ofHours(2)));
    join(registry().register(expired));

    assertThat(join(groups().join(socket, room, ConnectionId.of("never-registered")))).isFalse();
    assertThat(join(groups().join(socket, room, expired.id()))).isFalse();

    assertThat(join(groups().countMembers(socket, room))).isZero();
    assertThat(members(socket, room, 10)).isEmpty();
    assertThat(join(groups().groupsOf(socket, ConnectionId.of("never-registered")))).isEmpty();
    assertThat(join(groups().leave(socket, room, ConnectionId.of("never-registered")))).isFalse();
  }

  @Test
  public final void unregisteringAConnectionRemovesEveryMembership() {
    SocketName socket = freshSocket();
    Connection a = register(socket, "a");
    Connection b = register(socket, "b");
    GroupName room = GroupName.of("room");
    GroupName other = GroupName.of("other");
    GroupName user = GroupName.user("ada");
    for (GroupName g : List.of(room, other, user)) {
      join(groups().join(socket, g, a.id()));
    }
    join(groups().join(socket, room, b.id()));

    assertThat(join(registry().unregister(socket, a.id()))).isTrue();

    assertThat(join(groups().countMembers(socket, room))).isEqualTo(1L);
    assertThat(members(socket, room, 10)).containsExactly(b.id());
    assertThat(join(groups().countMembers(socket, other))).isZero();
    assertThat(join(groups().countMembers(socket, user))).isZero();
    assertThat(members(socket, user, 10)).isEmpty();
    assertThat(join(groups().groupsOf(socket, a.id()))).isEmpty();

    join(registry().register(a));
    assertThat(join(groups().groupsOf(socket, a.id()))).as("a connection registered again starts in no group").isEmpty();
    assertThat(join(groups().countMembers(socket, other))).isZero();
  }

  @Test
  public final void membershipsExpireWithTheirEntry() {
    SocketName socket = freshSocket();
    GroupName room = GroupName.of("room");
    Instant start = now();
    Connection shortLived = connection(socket, "short", start, start.plus(Duration.ofMillis(1500)));
    Connection live = register(socket, "live");
    join(registry().register(shortLived));
    assertThat(join(groups().join(socket, room, shortLived.id()))).isTrue();
    join(groups().join(socket, room, live.id()));
    assertThat(join(groups().countMembers(socket, room))).isEqualTo(2L);

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      assertThat(join(groups().countMembers(socket, room))).isEqualTo(1L);
      assertThat(members(socket, room, 10)).containsExactly(live.id());
      assertThat(join(groups().groupsOf(socket, shortLived.id()))).isEmpty();
    });
  }

  @Test
  public final void aConnectionRegisteredAgainAfterItsEntryExpiredStartsInNoGroup() {
    SocketName socket = freshSocket();
    GroupName room = GroupName.of("room");
    Instant start = now();
    Connection first = connection(socket, "again", start, start.plus(Duration.ofMillis(1500)));
    join(registry().register(first));
    assertThat(join(groups().join(socket, room, first.id()))).isTrue();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> join(registry().find(socket, first.id())).isEmpty());

    join(registry().register(connection(socket, "again")));

    assertThat(join(groups().groupsOf(socket, first.id()))).isEmpty();
    assertThat(join(groups().countMembers(socket, room))).isZero();
    assertThat(members(socket, room, 10)).isEmpty();
  }

  @Test
  public final void groupsUsersAndSocketsAreKeptApart() {
    SocketName socket = freshSocket();
    SocketName elsewhere = freshSocket();
    Connection a = register(socket, "a");
    Connection b = register(socket, "b");
    Connection c = register(elsewhere, "a");
    join(groups().join(socket, GroupName.of("ada"), a.id()));
    join(groups().join(socket, GroupName.user("ada"), b.id()));
    join(groups().join(elsewhere, GroupName.of("ada"), c.id()));

    assertThat(members(socket, GroupName.of("ada"), 10)).containsExactly(a.id());
    assertThat(members(socket, GroupName.user("ada"), 10)).containsExactly(b.id());
    assertThat(join(groups().countMembers(elsewhere, GroupName.of("ada")))).isEqualTo(1L);
    assertThat(join(groups().countMembers(elsewhere, GroupName.user("ada")))).isZero();
    assertThat(join(groups().countMembers(socket, GroupName.of("nobody")))).isZero();

    join(registry().unregister(elsewhere, c.id()));
    assertThat(members(socket, GroupName.of("ada"), 10)).as("unregistering on another socket").containsExactly(a.id());
  }

  @Test
  public final void groupNamesHostileToKeysAndPatternsRoundTrip() {
    SocketName socket = freshSocket();
    Connection a = register(socket, "a");
    Connection b = register(socket, "b");
    List<GroupName> hostile = List.of(
        GroupName.of("caf\u00e9 \u2603 \uD83D\uDE00"),
        GroupName.of("{slot}"),
        GroupName.of("a.b/c:d%2Fe"),
        GroupName.of("*"),
        GroupName.of("a*"),
        GroupName.of("a_"),
        GroupName.of("' OR 1=1 --"),
        GroupName.user("user@example.com"),
        GroupName.of("x".repeat(GroupName.MAX_LENGTH)));
    for (GroupName g : hostile) {
      assertThat(join(groups().join(socket, g, a.id()))).as("join %s", g).isTrue();
    }
    join(groups().join(socket, GroupName.of("ab"), b.id()));
    join(groups().join(socket, GroupName.of("a"), b.id()));

    assertThat(join(groups().groupsOf(socket, a.id()))).containsExactlyInAnyOrderElementsOf(hostile);
    for (GroupName g : hostile) {
      assertThat(members(socket, g, 10)).as("members of %s", g).containsExactly(a.id());
      assertThat(join(groups().countMembers(socket, g))).as("count of %s", g).isEqualTo(1L);
    }
    assertThat(members(socket, GroupName.of("ab"), 10)).containsExactly(b.id());
  }

  @Test
  public final void aJoinRacingAnUnregisterNeverLeavesAMemberBehind() {
    SocketName socket = freshSocket();
    GroupName room = GroupName.of("race");
    Set<ConnectionId> ids = registerMany(socket, "r-", 200);
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (ConnectionId id : ids) {
      all.add(groups().join(socket, room, id).toCompletableFuture());
      all.add(registry().unregister(socket, id).toCompletableFuture());
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();

    assertThat(join(groups().countMembers(socket, room))).isZero();
    assertThat(members(socket, room, 100)).isEmpty();
  }

  // ---------------------------------------------------------------- scans

  @Test
  public final void memberScansPageThroughALargeGroupDeliveringEachIdOnce() {
    SocketName socket = freshSocket();
    GroupName room = GroupName.of("big");
    Set<ConnectionId> registered = registerMany(socket, "m-", 1_200);
    Set<ConnectionId> joined = new HashSet<>();
    Semaphore inFlight = new Semaphore(128);
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (ConnectionId id : registered) {
      if (joined.size() < 1_000) {
        joined.add(id);
        inFlight.acquireUninterruptibly();
        all.add(groups().join(socket, room, id).toCompletableFuture().whenComplete((v, e) -> inFlight.release()));
      }
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();

    Set<ConnectionId> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    List<Integer> pageSizes = Collections.synchronizedList(new ArrayList<>());
    long delivered = join(groups().scanMembers(socket, room, 100, page -> {
      pageSizes.add(page.size());
      page.forEach(id -> {
        if (!seen.add(id)) {
          duplicates.incrementAndGet();
        }
      });
      return CompletableFuture.completedFuture(null);
    }));

    assertThat(duplicates.get()).as("ids delivered twice").isZero();
    assertThat(seen).isEqualTo(joined);
    assertThat(delivered).isEqualTo(1_000);
    assertThat(pageSizes).allSatisfy(size -> assertThat(size).isBetween(1, 100));
    assertThat(join(groups().countMembers(socket, room))).isEqualTo(1_000L);
  }

  @Test
  public final void aMemberScanReadsTheNextPageOnlyAfterTheLastOneWasConsumed() {
    SocketName socket = freshSocket();
    GroupName room = GroupName.of("slow");
    for (ConnectionId id : registerMany(socket, "s-", 30)) {
      join(groups().join(socket, room, id));
    }
    AtomicInteger pages = new AtomicInteger();
    List<CompletableFuture<Void>> consumers = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Long> scan = groups().scanMembers(socket, room, 10, page -> {
      pages.incrementAndGet();
      CompletableFuture<Void> consumed = new CompletableFuture<>();
      consumers.add(consumed);
      return consumed;
    }).toCompletableFuture();

    await().atMost(Duration.ofSeconds(10)).until(() -> pages.get() == 1);
    assertThat(scan).isNotDone();
    for (int i = 0; i < 3; i++) {
      int expected = i + 1;
      await().atMost(Duration.ofSeconds(10)).until(() -> consumers.size() == expected);
      assertThat(pages.get()).isEqualTo(expected);
      consumers.get(i).complete(null);
    }
    assertThat(join(scan)).isEqualTo(30L);
  }

  @Test
  public final void badGroupArgumentsAreRefusedAtOnce() {
    SocketName socket = freshSocket();
    GroupName room = GroupName.of("room");
    Function<List<ConnectionId>, java.util.concurrent.CompletionStage<?>> ignore =
        p -> CompletableFuture.completedFuture(null);
    assertThatThrownBy(() -> groups().scanMembers(socket, room, 0, ignore))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pageSize");
    assertThatThrownBy(() -> groups().scanMembers(socket, room, 10_001, ignore))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pageSize");
    assertThatThrownBy(() -> groups().join(socket, null, ConnectionId.of("a"))).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> groups().join(null, room, ConnectionId.of("a"))).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> groups().leave(socket, room, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> groups().countMembers(socket, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> groups().groupsOf(socket, null)).isInstanceOf(NullPointerException.class);
  }

  // ---------------------------------------------------------------- helpers

  private Connection register(SocketName socket, String id) {
    Connection c = connection(socket, id);
    join(registry().register(c));
    return c;
  }

  /** Every member a scan of {@code group} delivers, in delivery order. */
  protected final List<ConnectionId> members(SocketName socket, GroupName group, int pageSize) {
    List<ConnectionId> ids = Collections.synchronizedList(new ArrayList<>());
    long delivered = join(groups().scanMembers(socket, group, pageSize, page -> {
      assertThat(page).isNotEmpty().hasSizeLessThanOrEqualTo(pageSize);
      ids.addAll(page);
      return CompletableFuture.completedFuture(null);
    }));
    assertThat(delivered).isEqualTo(ids.size());
    return ids;
  }
}
