package dev.nitricws.adapters.nitric.kv;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.nitricws.adapters.nitric.NitricCallException;
import dev.nitricws.adapters.nitric.NitricResources;
import dev.nitricws.adapters.nitric.Unary;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.Futures;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.Pages;
import dev.nitricws.domain.PositiveDuration;
import dev.nitricws.domain.SocketName;
import dev.nitricws.proto.kvstore.v1.KvStoreDeleteKeyRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreGetValueRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreGrpc;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreSetValueRequest;
import dev.nitricws.proto.kvstore.v1.Store;
import dev.nitricws.proto.kvstore.v1.ValueRef;
import io.grpc.Channel;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConnectionRegistry} on a Nitric key-value store (the v1 successor of the seed's
 * {@code collection('connections')}), through the runtime's KvStore service.
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
 * <p>Thread-safe and non-blocking. Failed calls complete stages with {@link
 * ConnectionStoreException} ("Nitric KV store 'connections' at &lt;target&gt;: ...") keeping the
 * gRPC exception as the cause.
 */
public final class NitricKvConnectionRegistry implements ConnectionRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(NitricKvConnectionRegistry.class);

  /** The store used when none is named. */
  public static final String DEFAULT_STORE = "connections";

  private static final int COUNT_PAGE_SIZE = 1_000;

  private final KvStoreGrpc.KvStoreStub stub;
  private final String store;
  private final String target;
  private final Clock clock;
  private final Optional<Duration> deadline;

  private NitricKvConnectionRegistry(Builder b) {
    this.stub = KvStoreGrpc.newStub(b.channel);
    this.target = b.channel.authority();
    this.store = b.store;
    this.clock = b.clock;
    this.deadline = b.deadline;
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
    return store;
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
    return get(entry).thenCompose(old -> set(entry, content)
        .thenCompose(v -> set(member, memberValue))
        .thenCompose(v -> old.flatMap(o -> expiresAt(entry, o))
            .map(t -> ConnectionKeys.memberKey(socket, id, t))
            .filter(oldMember -> !oldMember.equals(member))
            .map(oldMember -> delete(oldMember).exceptionally(error -> {
              LOG.warn("{}: could not delete the old member key '{}' of a renewed connection; it stays until it "
                  + "expires: {}", where(), oldMember, LogText.escape(error));
              return null;
            }))
            .orElse(done())));
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    String entry = ConnectionKeys.entryKey(socket, id);
    if (entry.length() > ConnectionKeys.MAX_KEY_LENGTH) {
      return CompletableFuture.completedFuture(false); // register refuses such ids: never stored
    }
    return get(entry).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(false);
      }
      Optional<Instant> expiresAt = expiresAt(entry, found.get());
      boolean live = expiresAt.map(t -> clock.instant().isBefore(t)).orElse(true);
      CompletableFuture<Void> member = expiresAt.map(t -> delete(ConnectionKeys.memberKey(socket, id, t))).orElse(done());
      return member.thenCompose(v -> delete(entry)).thenApply(v -> live);
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
    return get(entry).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      Connection c;
      try {
        c = KvEntryCodec.decode(socket, id, found.get());
      } catch (IllegalArgumentException e) {
        throw new ConnectionStoreException(where() + ": the value of key '" + entry + "' is not a connection: "
            + e.getMessage(), e);
      }
      if (c.isExpiredAt(clock.instant())) {
        return deleteQuietly(ConnectionKeys.memberKey(socket, id, c.expiresAt()))
            .thenCompose(v -> deleteQuietly(entry))
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
    String prefix = ConnectionKeys.memberPrefix(socket);
    MemberPages pages = new MemberPages(socket, prefix, onPage);
    KeyScan scan = new KeyScan(prefix, pageSize, pages::handle, error -> storeError("ScanKeys '" + prefix + "'", error));
    try {
      // no deadline: a scan lasts as long as its consumer takes
      stub.scanKeys(KvStoreScanKeysRequest.newBuilder()
          .setStore(Store.newBuilder().setName(store))
          .setPrefix(prefix)
          .build(), scan);
    } catch (RuntimeException e) {
      scan.onError(e);
    }
    return scan.result();
  }

  // ---------------------------------------------------------------- scan pages

  /**
   * Turns the member keys of one scan into ids, a page at a time. {@link KeyScan} hands on a page
   * only after the previous page's stage has completed, so the fields are never touched by two
   * threads at once (each completion happens-before the next page).
   *
   * <p>An unexpired key delivers its id. An expired key is skipped and deleted, and so is its
   * entry if a read shows the entry has expired too (the id may have been registered again).
   * Member keys of one id sit next to each other where the store returns keys sorted; when an id
   * repeats (a stale key left by registrations of the same id at the same time), it is delivered
   * once, and one read of the entry says which keys are stale, to be deleted.
   */
  private final class MemberPages {
    private final SocketName socket;
    private final String prefix;
    private final Function<List<ConnectionId>, CompletionStage<?>> onPage;
    private String lastEscapedId;
    private String deliveredKey;

    MemberPages(SocketName socket, String prefix, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
      this.socket = socket;
      this.prefix = prefix;
      this.onPage = onPage;
    }

    CompletionStage<Integer> handle(List<String> keys) {
      Instant now = clock.instant();
      List<ConnectionId> ids = new ArrayList<>(keys.size());
      List<CompletableFuture<?>> work = new ArrayList<>();
      for (String key : keys) {
        ConnectionKeys.Member m;
        try {
          m = ConnectionKeys.parseMember(prefix, key);
        } catch (IllegalArgumentException e) {
          LOG.warn("{}: key '{}' is not a member key of socket '{}' ({}); skipped", where(),
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
      return deleteQuietly(member)
          .thenCompose(v -> getQuietly(entry))
          .thenCompose(found -> found == null || found.isEmpty()
              || expiresAt(entry, found.get()).map(now::isBefore).orElse(true)
              ? done() : deleteQuietly(entry));
    }

    /** Deletes those of two member keys of {@code id} that the entry does not name. Never fails. */
    private CompletableFuture<Void> removeStale(ConnectionId id, String one, String other) {
      String entry = ConnectionKeys.entryKey(socket, id);
      return getQuietly(entry).thenCompose(found -> {
        if (found == null) {
          return done(); // could not read: leave both
        }
        Optional<String> current = Optional.empty();
        if (found.isPresent()) {
          Optional<Instant> expiresAt = expiresAt(entry, found.get());
          if (expiresAt.isEmpty()) {
            return done();
          }
          current = Optional.of(ConnectionKeys.memberKey(socket, id, expiresAt.get()));
        }
        // no entry: the connection is gone and both keys are stale
        Optional<String> keep = current;
        return CompletableFuture.allOf(Stream.of(one, other)
            .filter(k -> keep.map(c -> !c.equals(k)).orElse(true))
            .map(NitricKvConnectionRegistry.this::deleteQuietly)
            .toArray(CompletableFuture[]::new));
      });
    }
  }

  // ---------------------------------------------------------------- calls

  /** The content of {@code key}; empty when the store does not have it. */
  private CompletableFuture<Optional<Struct>> get(String key) {
    KvStoreGetValueRequest request = KvStoreGetValueRequest.newBuilder().setRef(ref(key)).build();
    return Unary.call(stub()::getValue, request)
        .handle((response, error) -> {
          if (error != null) {
            if (Status.fromThrowable(error).getCode() == Status.Code.NOT_FOUND) {
              return Optional.empty();
            }
            throw storeError("GetValue '" + key + "'", error);
          }
          return response.hasValue() ? Optional.of(response.getValue().getContent()) : Optional.empty();
        });
  }

  /** The content of {@code key}, empty when absent, or null when it could not be read (logged). */
  private CompletableFuture<Optional<Struct>> getQuietly(String key) {
    return get(key).exceptionally(error -> {
      LOG.debug("{}: could not read key '{}': {}", where(), LogText.escape(key), LogText.escape(error));
      return null;
    });
  }

  private CompletableFuture<Void> set(String key, Struct content) {
    KvStoreSetValueRequest request = KvStoreSetValueRequest.newBuilder().setRef(ref(key)).setContent(content).build();
    return Unary.call(stub()::setValue, request)
        .handle((ok, error) -> {
          if (error != null) {
            throw storeError("SetValue '" + key + "'", error);
          }
          return null;
        });
  }

  /** Deletes {@code key}; NOT_FOUND (some runtimes' answer for a missing key) counts as done. */
  private CompletableFuture<Void> delete(String key) {
    KvStoreDeleteKeyRequest request = KvStoreDeleteKeyRequest.newBuilder().setRef(ref(key)).build();
    return Unary.call(stub()::deleteKey, request)
        .handle((ok, error) -> {
          if (error != null && Status.fromThrowable(error).getCode() != Status.Code.NOT_FOUND) {
            throw storeError("DeleteKey '" + key + "'", error);
          }
          return null;
        });
  }

  /** Deletes a key found expired or stale; a failure is only logged (the key stays expired or stale). */
  private CompletableFuture<Void> deleteQuietly(String key) {
    return delete(key).exceptionally(error -> {
      LOG.debug("{}: could not delete key '{}': {}", where(), LogText.escape(key), LogText.escape(error));
      return null;
    });
  }

  /** When the entry stored as {@code content} under {@code key} expires; empty (logged) when it is not a connection. */
  private Optional<Instant> expiresAt(String key, Struct content) {
    try {
      return Optional.of(KvEntryCodec.expiresAt(content));
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: the value of key '{}' is not a connection ({})", where(), LogText.escape(key), LogText.escape(e.getMessage()));
      return Optional.empty();
    }
  }

  private KvStoreGrpc.KvStoreStub stub() {
    return deadline.map(d -> stub.withDeadlineAfter(d.toNanos(), TimeUnit.NANOSECONDS)).orElse(stub);
  }

  private ValueRef ref(String key) {
    return ValueRef.newBuilder().setStore(store).setKey(key).build();
  }

  private String where() {
    return "Nitric KV store '" + store + "' at " + target;
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  private static Throwable unwrap(Throwable error) {
    return Futures.unwrap(error);
  }

  private ConnectionStoreException storeError(String what, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof ConnectionStoreException e) {
      return e;
    }
    return new ConnectionStoreException(where() + ": " + what + " failed: "
        + NitricCallException.describe(Status.fromThrowable(cause)), cause);
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
