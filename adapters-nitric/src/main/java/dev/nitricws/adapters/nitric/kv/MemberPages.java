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
 * Turns the member keys of one scan of a {@link NitricKvConnectionRegistry} into ids, a page at
 * a time. {@link KeyScan} hands on a page only after the previous page's stage has completed, so
 * the fields are never touched by two threads at once (each completion happens-before the next
 * page).
 *
 * <p>An unexpired key delivers its id. An expired key is skipped and deleted, and so is its
 * entry if a read shows the entry has expired too (the id may have been registered again).
 * Member keys of one id sit next to each other where the store returns keys sorted; when an id
 * repeats (a stale key left by registrations of the same id at the same time), it is delivered
 * once, and one read of the entry says which keys are stale, to be deleted.
 */
final class MemberPages {

  private static final Logger LOG = LoggerFactory.getLogger(NitricKvConnectionRegistry.class);

  private final KvCalls calls;
  private final Clock clock;
  private final SocketName socket;
  private final String prefix;
  private final Function<List<ConnectionId>, CompletionStage<?>> onPage;
  private String lastEscapedId;
  private String deliveredKey;

  MemberPages(KvCalls calls, Clock clock, SocketName socket, String prefix,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    this.calls = calls;
    this.clock = clock;
    this.socket = socket;
    this.prefix = prefix;
    this.onPage = onPage;
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
        LOG.warn("{}: key '{}' is not a member key of socket '{}' ({}); skipped", calls.where(),
            LogText.escape(key), socket, LogText.escape(e.getMessage()));
        continue;
      }
      if (!m.escapedId().equals(lastEscapedId)) {
        lastEscapedId = m.escapedId();
        deliveredKey = null;
      }
      if (!now.isBefore(m.expiresAt())) {
        work.add(removeExpired(m.id(), key, now));
      } else if (deliveredKey == null) {
        ids.add(m.id());
        deliveredKey = key;
      } else {
        work.add(removeStale(m.id(), deliveredKey, key));
      }
    }
    if (!ids.isEmpty()) {
      CompletionStage<?> consumed = onPage.apply(List.copyOf(ids));
      if (consumed != null) {
        work.add(consumed.toCompletableFuture());
      }
    }
    return CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).thenApply(v -> ids.size());
  }

  /** Deletes an expired member key, and the entry if it has expired too. Never fails. */
  private CompletableFuture<Void> removeExpired(ConnectionId id, String member, Instant now) {
    String entry = ConnectionKeys.entryKey(socket, id);
    return calls.deleteQuietly(member)
        .thenCompose(v -> calls.getQuietly(entry))
        .thenCompose(found -> found == null || found.isEmpty()
            || calls.expiresAt(entry, found.get()).map(now::isBefore).orElse(true)
            ? done() : calls.deleteQuietly(entry));
  }

  /** Deletes those of two member keys of {@code id} that the entry does not name. Never fails. */
  private CompletableFuture<Void> removeStale(ConnectionId id, String one, String other) {
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
      return CompletableFuture.allOf(Stream.of(one, other)
          .filter(k -> keep.map(c -> !c.equals(k)).orElse(true))
          .map(calls::deleteQuietly)
          .toArray(CompletableFuture[]::new));
    });
  }
}
