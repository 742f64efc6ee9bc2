package dev.nitricws.adapters.nitric.kv;

import static dev.nitricws.adapters.nitric.kv.KvCalls.done;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.nitricws.adapters.nitric.NitricResources;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.Pages;
import dev.nitricws.domain.PositiveDuration;
import dev.nitricws.domain.SocketName;
import io.grpc.Channel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConnectionRegistry} and its {@link ConnectionGroups} on a Nitric key-value store (the
 * v1 successor of the seed's {@code collection('connections')}), through the runtime's KvStore
 * service.
 *
 * <p>Each connection has two keys in the store (default {@value #DEFAULT_STORE}), both made only
 * of characters every Nitric provider accepts (see {@link ConnectionKeys}): the entry {@code
 * <socket>.e.<escaped id>} holds the connection as the JSON object described in {@link
 * KvEntryCodec} and answers find and unregister with one read; the member {@code
 * <socket>.m.<escaped id>.<expiresAt millis>} carries the id and its expiry in the key itself, so
 * a scan is one ScanKeys call and reads no value. Expiry is judged by the injected clock; find
 * and scan delete the expired keys they meet. A scan streams the member keys under gRPC flow
 * control, a page at a time.
 *
 * <p>A group membership is two more keys, the group's member key {@code
 * <socket>.g.<group>.<escaped id>.<expiresAt>} (a member scan is one ScanKeys of the group's
 * prefix, no value read) and the connection's joined key {@code
 * <socket>.j.<escaped id>.<group>.<expiresAt>}, beside a groups flag {@code <socket>.f.<escaped
 * id>} that spares an unregister of a connection that never joined a scan; how a join and an
 * unregister order their writes so that neither leaves a member behind is {@link
 * GroupMemberships}'s. Registering costs nothing more for groups.
 *
 * <p>Thread-safe and non-blocking. Failed calls complete stages with {@link
 * ConnectionStoreException} ("Nitric KV store 'connections' at &lt;target&gt;: ...") keeping the
 * gRPC exception as the cause. The calls themselves and that translation are {@link KvCalls}'s;
 * turning a scan's member keys into pages of ids, pruning what has expired, is {@link
 * MemberPages}'s.
 */
public final class NitricKvConnectionRegistry implements ConnectionRegistry, ConnectionGroups {

  private static final Logger LOG = LoggerFactory.getLogger(NitricKvConnectionRegistry.class);

  /** The store used when none is named. */
  public static final String DEFAULT_STORE = "connections";

  private static final int COUNT_PAGE_SIZE = 1_000;

  private final KvCalls calls;
  private final Clock clock;
  private final GroupMemberships memberships;

  private NitricKvConnectionRegistry(Builder b) {
    this.calls = new KvCalls(b.channel, b.store, b.deadline);
    this.clock = b.clock;
    this.memberships = new GroupMemberships(calls, clock);
  }

  /** A registry on the store {@value #DEFAULT_STORE} with the system clock. */
  public static NitricKvConnectionRegistry create(Channel channel) {
    return builder(channel).build();
  }

  /** Starts building a registry over {@code channel} (which the caller owns and shuts down). */
  public static Builder builder(Channel channel) {
    return new Builder(channel);
  }

  /** The name of the key-value store. */
  public String store() {
    return calls.store();
  }

  /**
   * GetValue of the old entry, SetValue of the entry, SetValue of the member key, one after the
   * other, then DeleteKey of the old member key if the expiry changed. The entry is written first,
   * so a member key exists only for an entry that was written: a register that fails half-way
   * leaves at most an entry no scan lists. The old member key is deleted quietly (logged): the
   * connection is registered by then, and a stale member key only expires later.
   *
   * @throws IllegalArgumentException at once, storing nothing, when a time is outside epoch
   *     milliseconds or a key would be longer than {@value ConnectionKeys#MAX_KEY_LENGTH} bytes
   */
  @Override
  public CompletionStage<Void> register(Connection connection) {
    requireNonNull(connection, "connection");
    SocketName socket = connection.socket();
    ConnectionId id = connection.id();
    Struct content = KvEntryCodec.encode(connection);
    Struct memberValue = KvEntryCodec.member(connection.expiresAt());
    String entry = ConnectionKeys.entryKey(socket, id);
    String member = ConnectionKeys.requireShortEnough(ConnectionKeys.memberKey(socket, id, connection.expiresAt()), id);
    return calls.get(entry).thenCompose(old -> calls.set(entry, content)
        .thenCompose(v -> calls.set(member, memberValue))
        .thenCompose(v -> old.flatMap(o -> calls.expiresAt(entry, o))
            .map(t -> ConnectionKeys.memberKey(socket, id, t))
            .filter(oldMember -> !oldMember.equals(member))
            .map(oldMember -> calls.delete(oldMember).exceptionally(error -> {
              LOG.warn("{}: could not delete the old member key '{}' of a renewed connection; it stays until it "
                  + "expires: {}", calls.where(), oldMember, LogText.escape(error));
              return null;
            }))
            .orElse(done())));
  }

  /**
   * GetValue of the entry (absent: {@code false}), DeleteKey of its member key, then DeleteKey of
   * the entry beside GetValue of the groups flag; only a connection that joined a group has the
   * flag, and then its memberships are removed (one ScanKeys of its joined keys, two deletes per
   * membership, and the flag) before the stage completes.
   */
  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    String entry = ConnectionKeys.entryKey(socket, id);
    if (entry.length() > ConnectionKeys.MAX_KEY_LENGTH) {
      return CompletableFuture.completedFuture(false); // register refuses such ids: never stored
    }
    return calls.get(entry).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(false);
      }
      Optional<Instant> expiresAt = calls.expiresAt(entry, found.get());
      boolean live = expiresAt.map(t -> clock.instant().isBefore(t)).orElse(true);
      CompletableFuture<Void> member = expiresAt.map(t -> calls.delete(ConnectionKeys.memberKey(socket, id, t)))
          .orElse(done());
      // the member key goes first: a join holds only if it still finds it (see GroupMemberships)
      return member.thenCompose(v -> KvCalls.all(List.of(calls.delete(entry), memberships.removeAll(socket, id))))
          .thenApply(v -> live);
    });
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    String entry = ConnectionKeys.entryKey(socket, id);
    if (entry.length() > ConnectionKeys.MAX_KEY_LENGTH) {
      return CompletableFuture.completedFuture(Optional.empty()); // register refuses such ids: never stored
    }
    return calls.get(entry).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      Connection c;
      try {
        c = KvEntryCodec.decode(socket, id, found.get());
      } catch (IllegalArgumentException e) {
        throw new ConnectionStoreException(calls.where() + ": the value of key '" + entry + "' is not a connection: "
            + e.getMessage(), e);
      }
      Instant now = clock.instant();
      if (c.isExpiredAt(now)) {
        return calls.deleteQuietly(ConnectionKeys.memberKey(socket, id, c.expiresAt()))
            .thenCompose(v -> calls.deleteQuietly(entry))
            .thenCompose(v -> memberships.prune(socket, id, now))
            .thenApply(v -> Optional.empty());
      }
      return CompletableFuture.completedFuture(Optional.of(c));
    });
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    requireNonNull(socket, "socket");
    return scan(socket, COUNT_PAGE_SIZE, page -> done());
  }

  /**
   * One ScanKeys call for the prefix {@code <socket>.m.}; ids and expiry come from the keys, no
   * value is read (but for the rare clean-ups described in {@link MemberPages}).
   */
  @Override
  public CompletionStage<Long> scan(
      SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    MemberPages pages = MemberPages.ofSocket(calls, clock, socket, memberships, onPage);
    return calls.scan(pages.prefix(), pageSize, pages::handle);
  }

  // ------------------------------------------------------------------------------------ groups

  /**
   * GetValue of the entry (absent or expired: {@code false}, nothing written); SetValue of the
   * groups flag beside SetValue of the joined key; SetValue of the group member key; GetValue of
   * the connection's member key: 2 reads and 3 writes, 4 round trips. The keys carry the entry's
   * {@code expiresAt}, so the membership expires with the entry it joined under (a renewal by
   * {@link #register} does not extend it; a join after the renewal does).
   *
   * @throws IllegalArgumentException (failing the stage) when the connection's id is so long that
   *     a membership key would be longer than {@value ConnectionKeys#MAX_KEY_LENGTH} bytes
   */
  @Override
  public CompletionStage<Boolean> join(SocketName socket, GroupName group, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
    requireNonNull(id, "id");
    return memberships.join(socket, group, id);
  }

  /** One ScanKeys of the connection's joined keys in {@code group}, then two deletes per key found. */
  @Override
  public CompletionStage<Boolean> leave(SocketName socket, GroupName group, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
    requireNonNull(id, "id");
    return memberships.leave(socket, group, id);
  }

  /**
   * GetValue of the entry beside one ScanKeys of the connection's joined keys; a group whose name
   * is too long for a key (hashed) costs a GetValue of its joined key.
   */
  @Override
  public CompletionStage<Set<GroupName>> groupsOf(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    return memberships.groupsOf(socket, id);
  }

  /**
   * Reads the group's member keys (one ScanKeys of its prefix, no value): the KV service keeps no
   * counter, so a count costs what a member scan costs.
   */
  @Override
  public CompletionStage<Long> countMembers(SocketName socket, GroupName group) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
    return scanMembers(socket, group, COUNT_PAGE_SIZE, page -> done());
  }

  /**
   * One ScanKeys call for the prefix {@code <socket>.g.<group>.}, under flow control as {@link
   * #scan} is; ids and expiry come from the keys. An expired member key is deleted with its joined
   * key; an id that joined under two registrations is delivered once where keys come sorted.
   */
  @Override
  public CompletionStage<Long> scanMembers(
      SocketName socket, GroupName group, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    requireNonNull(group, "group");
    MemberPages pages = MemberPages.ofGroup(calls, clock, socket, ConnectionKeys.groupPart(group), onPage);
    return calls.scan(pages.prefix(), pageSize, pages::handle);
  }

  /** Settings of a {@link NitricKvConnectionRegistry}. */
  public static final class Builder {
    private final Channel channel;
    private String store = DEFAULT_STORE;
    private Clock clock = Clock.systemUTC();
    private Optional<Duration> deadline = Optional.empty();

    private Builder(Channel channel) {
      this.channel = requireNonNull(channel, "channel");
    }

    /** The key-value store to keep connections in (default {@value #DEFAULT_STORE}). */
    public Builder store(String name) {
      this.store = NitricResources.checkResourceName(name, "store name");
      return this;
    }

    /** The clock expiry is judged by (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** A deadline for each unary call (none by default; a scan's stream never has one). */
    public Builder deadline(Duration deadline) {
      this.deadline = Optional.of(PositiveDuration.require("deadline", deadline));
      return this;
    }

    public NitricKvConnectionRegistry build() {
      return new NitricKvConnectionRegistry(this);
    }
  }
}
