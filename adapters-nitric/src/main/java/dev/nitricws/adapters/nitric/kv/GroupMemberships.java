package dev.nitricws.adapters.nitric.kv;

import static dev.nitricws.adapters.nitric.kv.KvCalls.done;

import com.google.protobuf.Struct;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.SocketName;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group memberships of a {@link NitricKvConnectionRegistry}: joining, leaving, a connection's
 * groups, and removing a connection's memberships when it is unregistered or pruned. The keys are
 * {@link ConnectionKeys}': a membership is a joined key (the connection's side) and a group member
 * key (the group's side), both carrying the {@code expiresAt} of the entry the connection joined
 * under, so a membership expires with that entry; the groups flag tells an unregister whether
 * there are joined keys to look for.
 *
 * <p>The KV service has no transaction and no compare-and-set, so the order of the writes is
 * what keeps a join racing an unregister of the same connection from leaving a member behind:
 *
 * <ol>
 *   <li>a join reads the entry (absent or expired: {@code false}, nothing written) and takes its
 *       {@code expiresAt}; writes the groups flag and the joined key, then the group member key
 *       (so a group member never exists without the joined key it is found by); then reads the
 *       connection's member key of that {@code expiresAt}. Present: the join holds.
 *   <li>an unregister deletes the member key before it reads the flag and scans the joined keys.
 * </ol>
 *
 * <p>So a join that holds read the member key before the unregister deleted it, and had written
 * its flag and joined key before that read: the unregister's later reads find them. A join that
 * finds the member key gone undoes its keys (group member, then joined); if the entry is still
 * there (a registration or renewal in progress, or an unregister between its two deletes) it
 * tries again, at most {@value #JOIN_ATTEMPTS} times in all; if the entry is gone it also deletes
 * the flag unless joined keys remain. Methods that answer {@code true}/{@code false} or groups
 * fail with {@link dev.nitricws.domain.ConnectionStoreException} as the registry's do; the
 * clean-ups of expired connections only log.
 */
final class GroupMemberships {

  private static final Logger LOG = LoggerFactory.getLogger(NitricKvConnectionRegistry.class);

  /** Keys read per page when a connection's joined keys are scanned. */
  private static final int PAGE_SIZE = 100;

  /** How many times a join that finds its connection's member key gone tries while the entry stays. */
  static final int JOIN_ATTEMPTS = 3;

  private final KvCalls calls;
  private final Clock clock;

  GroupMemberships(KvCalls calls, Clock clock) {
    this.calls = calls;
    this.clock = clock;
  }

  /** See {@link dev.nitricws.domain.ConnectionGroups#join}; the steps are this class's. */
  CompletableFuture<Boolean> join(SocketName socket, GroupName group, ConnectionId id) {
    String entry = ConnectionKeys.entryKey(socket, id);
    if (entry.length() > ConnectionKeys.MAX_KEY_LENGTH) {
      return CompletableFuture.completedFuture(false); // register refuses such ids: never stored
    }
    return join(socket, group, id, entry, 1);
  }

  private CompletableFuture<Boolean> join(SocketName socket, GroupName group, ConnectionId id, String entry,
      int attempt) {
    return liveExpiry(entry).thenCompose(expiresAt -> {
      if (expiresAt.isEmpty()) {
        return CompletableFuture.completedFuture(false);
      }
      Instant t = expiresAt.get();
      String part = ConnectionKeys.groupPart(group);
      String joined = ConnectionKeys.requireShortEnough(ConnectionKeys.joinedKey(socket, id, part, t), id);
      String member = ConnectionKeys.requireShortEnough(ConnectionKeys.groupMemberKey(socket, part, id, t), id);
      Struct value = KvEntryCodec.member(t);
      CompletableFuture<Boolean> held = KvCalls.all(List.of(
              calls.set(ConnectionKeys.groupsFlagKey(socket, id), value),
              calls.set(joined, KvEntryCodec.joined(group, t))))
          .thenCompose(v -> calls.set(member, value))
          .thenCompose(v -> calls.get(ConnectionKeys.memberKey(socket, id, t)))
          .thenApply(Optional::isPresent);
      return held.handle((holds, error) -> {
        if (error != null) {
          // a failed write: take back what may have been written, and report the failure
          return calls.deleteQuietly(member).thenCompose(v -> calls.deleteQuietly(joined))
              .thenCompose(v -> CompletableFuture.<Boolean>failedFuture(calls.storeError("join", error)));
        }
        if (holds) {
          return CompletableFuture.completedFuture(true);
        }
        return calls.delete(member)
            .thenCompose(v -> calls.delete(joined))
            .thenCompose(v -> liveExpiry(entry))
            .thenCompose(live -> {
              if (live.isEmpty()) {
                return removeFlagIfUnused(socket, id).thenApply(v -> false);
              }
              if (attempt < JOIN_ATTEMPTS) {
                return join(socket, group, id, entry, attempt + 1);
              }
              LOG.debug("{}: join of '{}' to {} gave up: its entry stays but its member key does not", calls.where(),
                  entry, group);
              return CompletableFuture.completedFuture(false);
            });
      }).thenCompose(stage -> stage);
    });
  }

  /** See {@link dev.nitricws.domain.ConnectionGroups#leave}: one scan of the joined keys of {@code id} in {@code group}. */
  CompletableFuture<Boolean> leave(SocketName socket, GroupName group, ConnectionId id) {
    if (ConnectionKeys.entryKey(socket, id).length() > ConnectionKeys.MAX_KEY_LENGTH) {
      return CompletableFuture.completedFuture(false); // never stored
    }
    String part = ConnectionKeys.groupPart(group);
    return removeJoined(socket, id, ConnectionKeys.joinedGroupPrefix(socket, id, part), t -> true, false)
        .thenApply(removed -> removed.live() > 0);
  }

  /**
   * See {@link dev.nitricws.domain.ConnectionGroups#groupsOf}: a read of the entry beside a scan of
   * the joined keys of {@code id}, and a read of each joined key whose group is hashed.
   */
  CompletableFuture<Set<GroupName>> groupsOf(SocketName socket, ConnectionId id) {
    String entry = ConnectionKeys.entryKey(socket, id);
    if (entry.length() > ConnectionKeys.MAX_KEY_LENGTH) {
      return CompletableFuture.completedFuture(Set.of()); // never stored
    }
    Instant now = clock.instant();
    String prefix = ConnectionKeys.joinedPrefix(socket, id);
    Set<GroupName> groups = ConcurrentHashMap.newKeySet();
    CompletableFuture<Optional<Instant>> live = liveExpiry(entry);
    CompletableFuture<Long> scanned = calls.scan(prefix, PAGE_SIZE, keys -> {
      List<CompletableFuture<?>> reads = new ArrayList<>();
      for (String key : keys) {
        Optional<ConnectionKeys.Joined> joined = parse(prefix, key);
        if (joined.isEmpty() || !now.isBefore(joined.get().expiresAt())) {
          continue;
        }
        Optional<GroupName> group = joined.get().group();
        if (group.isPresent()) {
          groups.add(group.get());
        } else {
          reads.add(calls.get(key).thenAccept(found -> found.flatMap(c -> hashedGroup(key, joined.get(), c))
              .ifPresent(groups::add)));
        }
      }
      return KvCalls.all(reads).thenApply(v -> 0);
    });
    return live.thenCombine(scanned, (expiresAt, n) -> expiresAt.isPresent() ? Set.copyOf(groups) : Set.<GroupName>of());
  }

  /**
   * Removes every membership of {@code id}, for an unregister that has deleted the connection's
   * member key: a read of the groups flag; when it is there, a scan of the joined keys, each
   * group member key and joined key deleted, then the flag.
   */
  CompletableFuture<Void> removeAll(SocketName socket, ConnectionId id) {
    String flag = ConnectionKeys.groupsFlagKey(socket, id);
    return calls.get(flag).thenCompose(found -> found.isEmpty()
        ? done()
        : removeJoined(socket, id, ConnectionKeys.joinedPrefix(socket, id), t -> true, false)
            .thenCompose(removed -> removed.kept() == 0 ? calls.delete(flag) : done()));
  }

  /**
   * Removes the memberships of {@code id} that have expired at {@code now}, for a clean-up that
   * has deleted the connection's expired entry; the flag too when none is left. Never fails: a
   * failure is logged and the keys stay expired.
   */
  CompletableFuture<Void> prune(SocketName socket, ConnectionId id, Instant now) {
    String flag = ConnectionKeys.groupsFlagKey(socket, id);
    return calls.getQuietly(flag).thenCompose(found -> found == null || found.isEmpty()
        ? done()
        : removeJoined(socket, id, ConnectionKeys.joinedPrefix(socket, id), t -> !now.isBefore(t), true)
            .thenCompose(removed -> removed.kept() == 0 ? calls.deleteQuietly(flag) : done()))
        .exceptionally(error -> {
          LOG.debug("{}: could not remove the expired memberships of '{}': {}", calls.where(), flag,
              LogText.escape(error));
          return null;
        });
  }

  /** How many memberships a scan of joined keys removed while they were live, and how many keys it kept. */
  private record Removed(long live, long kept) {}

  /**
   * Scans the joined keys under {@code prefix} (all of one connection's, or of one of its groups)
   * and removes each membership whose {@code expiresAt} passes {@code remove}: its group member
   * key, then its joined key.
   */
  private CompletableFuture<Removed> removeJoined(SocketName socket, ConnectionId id, String prefix,
      Predicate<Instant> remove, boolean quietly) {
    Instant now = clock.instant();
    String connectionPrefix = ConnectionKeys.joinedPrefix(socket, id);
    long[] counts = new long[2]; // live removed, kept; pages are handled one after another
    return calls.scan(prefix, PAGE_SIZE, keys -> {
      List<CompletableFuture<?>> deletes = new ArrayList<>();
      for (String key : keys) {
        Optional<ConnectionKeys.Joined> joined = parse(connectionPrefix, key);
        if (joined.isEmpty() || !remove.test(joined.get().expiresAt())) {
          counts[1]++;
          continue;
        }
        if (now.isBefore(joined.get().expiresAt())) {
          counts[0]++;
        }
        String member = ConnectionKeys.groupMemberKey(socket, joined.get().groupPart(), id, joined.get().expiresAt());
        deletes.add(quietly
            ? calls.deleteQuietly(member).thenCompose(v -> calls.deleteQuietly(key))
            : calls.delete(member).thenCompose(v -> calls.delete(key)));
      }
      return KvCalls.all(deletes).thenApply(v -> 0);
    }).thenApply(n -> new Removed(counts[0], counts[1]));
  }

  /** Deletes the groups flag of {@code id} when it has no joined key left. */
  private CompletableFuture<Void> removeFlagIfUnused(SocketName socket, ConnectionId id) {
    return calls.scan(ConnectionKeys.joinedPrefix(socket, id), PAGE_SIZE, keys -> CompletableFuture.completedFuture(keys.size()))
        .thenCompose(left -> left == 0 ? calls.delete(ConnectionKeys.groupsFlagKey(socket, id)) : done());
  }

  /** When the entry under {@code entry} expires, if it is there and unexpired. */
  private CompletableFuture<Optional<Instant>> liveExpiry(String entry) {
    return calls.get(entry).thenApply(found -> found.flatMap(c -> calls.expiresAt(entry, c))
        .filter(t -> clock.instant().isBefore(t)));
  }

  private Optional<ConnectionKeys.Joined> parse(String prefix, String key) {
    try {
      return Optional.of(ConnectionKeys.parseJoined(prefix, key));
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: key '{}' is not a joined key ({}); skipped", calls.where(), LogText.escape(key),
          LogText.escape(e.getMessage()));
      return Optional.empty();
    }
  }

  /** The group a hashed joined key's value names, if it is the group the key is for. */
  private Optional<GroupName> hashedGroup(String key, ConnectionKeys.Joined joined, Struct content) {
    try {
      GroupName group = KvEntryCodec.group(content);
      if (ConnectionKeys.groupPart(group).equals(joined.groupPart())) {
        return Optional.of(group);
      }
      LOG.warn("{}: the value of key '{}' names another group; skipped", calls.where(), LogText.escape(key));
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: the value of key '{}' names no group ({}); skipped", calls.where(), LogText.escape(key),
          LogText.escape(e.getMessage()));
    }
    return Optional.empty();
  }
}
