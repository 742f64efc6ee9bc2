package dev.nitricws.adapters.nitric.kv;

import static dev.nitricws.adapters.nitric.kv.KvCalls.done;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.SocketName;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the member keys of one scan of a {@link NitricKvConnectionRegistry} (a socket's, or a
 * group's) into ids, a page at a time. {@link KeyScan} hands on a page only after the previous
 * page's stage has completed, so the fields are never touched by two threads at once (each
 * completion happens-before the next page).
 *
 * <p>An unexpired key delivers its id. Member keys of one id sit next to each other where the
 * store returns keys sorted; when an id repeats it is delivered once. What happens to the keys
 * not delivered is the {@link Cleanup}'s:
 *
 * <ul>
 *   <li>a socket's scan ({@link #ofSocket}) deletes an expired key, and its entry if a read shows
 *       the entry has expired too (the id may have been registered again), with the
 *       connection's memberships; a repeated id is a stale key left by registrations of the same
 *       id at the same time, and one read of the entry says which keys are stale, to be deleted;
 *   <li>a group's scan ({@link #ofGroup}) deletes an expired key and its joined key; a repeated id
 *       joined under two registrations of the connection, both kept until they expire.
 * </ul>
 */
final class MemberPages {

  private static final Logger LOG = LoggerFactory.getLogger(NitricKvConnectionRegistry.class);

  /** What a scan does with the keys it does not deliver. Each stage never fails. */
  interface Cleanup {

    /** {@code key}, of {@code member}, has expired at {@code now}. */
    CompletableFuture<Void> expired(ConnectionKeys.Member member, String key, Instant now);

    /** {@code key} names an id the scan delivered by {@code deliveredKey} just before. */
    CompletableFuture<Void> repeated(ConnectionKeys.Member member, String deliveredKey, String key);
  }

  private final KvCalls calls;
  private final Clock clock;
  private final String what;
  private final String prefix;
  private final Cleanup cleanup;
  private final Function<List<ConnectionId>, CompletionStage<?>> onPage;
  private String lastEscapedId;
  private String deliveredKey;

  private MemberPages(KvCalls calls, Clock clock, String what, String prefix, Cleanup cleanup,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    this.calls = calls;
    this.clock = clock;
    this.what = what;
    this.prefix = prefix;
    this.cleanup = cleanup;
    this.onPage = onPage;
  }

  /** The pages of a scan of {@code socket}'s member keys. */
  static MemberPages ofSocket(KvCalls calls, Clock clock, SocketName socket, GroupMemberships memberships,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    return new MemberPages(calls, clock, "socket '" + socket + "'", ConnectionKeys.memberPrefix(socket),
        new SocketCleanup(calls, socket, memberships), onPage);
  }

  /** The pages of a scan of the member keys of the group written {@code groupPart} on {@code socket}. */
  static MemberPages ofGroup(KvCalls calls, Clock clock, SocketName socket, String groupPart,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Cleanup cleanup = new Cleanup() {
      @Override
      public CompletableFuture<Void> expired(ConnectionKeys.Member member, String key, Instant now) {
        // the group member first: one never stays without the joined key that unregister finds it by
        return calls.deleteQuietly(key)
            .thenCompose(v -> calls.deleteQuietly(ConnectionKeys.joinedKey(socket, member.id(), groupPart,
                member.expiresAt())));
      }

      @Override
      public CompletableFuture<Void> repeated(ConnectionKeys.Member member, String deliveredKey, String key) {
        return done();
      }
    };
    return new MemberPages(calls, clock, "group '" + groupPart + "' of socket '" + socket + "'",
        ConnectionKeys.groupMemberPrefix(socket, groupPart), cleanup, onPage);
  }

  /** The prefix of the keys this scan reads. */
  String prefix() {
    return prefix;
  }

  /** Handles one page of member keys; completes with how many ids it handed on. */
  CompletionStage<Integer> handle(List<String> keys) {
    Instant now = clock.instant();
    List<ConnectionId> ids = new ArrayList<>(keys.size());
    List<CompletableFuture<?>> work = new ArrayList<>();
    for (String key : keys) {
      ConnectionKeys.Member m;
      try {
        m = ConnectionKeys.parseMember(prefix, key);
      } catch (IllegalArgumentException e) {
        LOG.warn("{}: key '{}' is not a member key of {} ({}); skipped", calls.where(),
            LogText.escape(key), what, LogText.escape(e.getMessage()));
        continue;
      }
      if (!m.escapedId().equals(lastEscapedId)) {
        lastEscapedId = m.escapedId();
        deliveredKey = null;
      }
      if (!now.isBefore(m.expiresAt())) {
        work.add(cleanup.expired(m, key, now));
      } else if (deliveredKey == null) {
        ids.add(m.id());
        deliveredKey = key;
      } else {
        work.add(cleanup.repeated(m, deliveredKey, key));
      }
    }
    if (!ids.isEmpty()) {
      CompletionStage<?> consumed = onPage.apply(List.copyOf(ids));
      if (consumed != null) {
        work.add(consumed.toCompletableFuture());
      }
    }
    return KvCalls.all(work).thenApply(v -> ids.size());
  }

  /** A socket's clean-ups: expired connections with their memberships, and stale member keys. */
  private static final class SocketCleanup implements Cleanup {
    private final KvCalls calls;
    private final SocketName socket;
    private final GroupMemberships memberships;

    SocketCleanup(KvCalls calls, SocketName socket, GroupMemberships memberships) {
      this.calls = calls;
      this.socket = socket;
      this.memberships = memberships;
    }

    /** Deletes an expired member key, and the entry with its memberships if it has expired too. */
    @Override
    public CompletableFuture<Void> expired(ConnectionKeys.Member member, String key, Instant now) {
      ConnectionId id = member.id();
      String entry = ConnectionKeys.entryKey(socket, id);
      return calls.deleteQuietly(key)
          .thenCompose(v -> calls.getQuietly(entry))
          .thenCompose(found -> found == null || found.isEmpty()
              || calls.expiresAt(entry, found.get()).map(now::isBefore).orElse(true)
              ? done()
              : calls.deleteQuietly(entry).thenCompose(v -> memberships.prune(socket, id, now)));
    }

    /** Deletes those of two member keys of one id that the entry does not name. */
    @Override
    public CompletableFuture<Void> repeated(ConnectionKeys.Member member, String deliveredKey, String key) {
      ConnectionId id = member.id();
      String entry = ConnectionKeys.entryKey(socket, id);
      return calls.getQuietly(entry).thenCompose(found -> {
        if (found == null) {
          return done(); // could not read: leave both
        }
        Optional<String> current = Optional.empty();
        if (found.isPresent()) {
          Optional<Instant> expiresAt = calls.expiresAt(entry, found.get());
          if (expiresAt.isEmpty()) {
            return done();
          }
          current = Optional.of(ConnectionKeys.memberKey(socket, id, expiresAt.get()));
        }
        // no entry: the connection is gone and both keys are stale
        Optional<String> keep = current;
        return CompletableFuture.allOf(Stream.of(deliveredKey, key)
            .filter(k -> keep.map(c -> !c.equals(k)).orElse(true))
            .map(calls::deleteQuietly)
            .toArray(CompletableFuture[]::new));
      });
    }
  }
}
