package dev.nitricws.adapters.nitric;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.Pages;
import dev.nitricws.proto.kvstore.v1.KvStoreDeleteKeyRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreDeleteKeyResponse;
import dev.nitricws.proto.kvstore.v1.KvStoreGetValueRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreGetValueResponse;
import dev.nitricws.proto.kvstore.v1.KvStoreGrpc;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreSetValueRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreSetValueResponse;
import dev.nitricws.proto.kvstore.v1.Store;
import dev.nitricws.proto.kvstore.v1.ValueRef;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConnectionRegistry} on a Nitric key-value store (the v1 successor of the seed's
 * {@code collection('connections')}), through the runtime's KvStore service.
 *
 * <p>Each connection is one key, {@code <socket>/<connection id>}, in the store (default {@value
 * #DEFAULT_STORE}); a socket name cannot hold {@code '/'}, so {@code <socket>/} is a prefix that
 * matches exactly that socket's connections. The value is the JSON object described in {@link
 * ConnectionCodec}. Expiry is judged by the injected clock when an entry is read: find and scan
 * delete expired entries they meet. A scan streams the socket's keys with ScanKeys under gRPC
 * flow control, a page at a time, and reads each key of a page (a bounded number at once) to
 * skip expired ones.
 *
 * <p>Thread-safe and non-blocking. Failed calls complete stages with {@link
 * ConnectionStoreException} ("Nitric KV store 'connections' at &lt;target&gt;: ...") keeping the
 * gRPC exception as the cause.
 */
public final class NitricKvConnectionRegistry implements ConnectionRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(NitricKvConnectionRegistry.class);

  /** The store used when none is named. */
  public static final String DEFAULT_STORE = "connections";
  /** How many keys of a scan page are read at once by default. */
  public static final int DEFAULT_MAX_CONCURRENT_READS = 32;

  private static final int COUNT_PAGE_SIZE = 1_000;

  private final KvStoreGrpc.KvStoreStub stub;
  private final String store;
  private final String target;
  private final Clock clock;
  private final int maxConcurrentReads;
  private final Optional<Duration> deadline;

  private NitricKvConnectionRegistry(Builder b) {
    this.stub = KvStoreGrpc.newStub(b.channel);
    this.target = b.channel.authority();
    this.store = b.store;
    this.clock = b.clock;
    this.maxConcurrentReads = b.maxConcurrentReads;
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

  /** The key of one connection: {@code <socket>/<id>}. */
  static String key(SocketName socket, ConnectionId id) {
    return prefix(socket) + id.value();
  }

  /** The prefix of every key of {@code socket}. */
  static String prefix(SocketName socket) {
    return socket.value() + "/";
  }

  @Override
  public CompletionStage<Void> register(Connection connection) {
    requireNonNull(connection, "connection");
    Struct content = ConnectionCodec.encode(connection);
    String key = key(connection.socket(), connection.id());
    KvStoreSetValueRequest request = KvStoreSetValueRequest.newBuilder().setRef(ref(key)).setContent(content).build();
    return this.<KvStoreSetValueRequest, KvStoreSetValueResponse>unary((r, o) -> stub().setValue(r, o), request)
        .handle((ok, error) -> {
          if (error != null) {
            throw storeError("SetValue '" + key + "'", error);
          }
          return null;
        });
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    String key = key(socket, id);
    return get(key).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(false);
      }
      boolean live = isLive(key, found.get());
      return delete(key).thenApply(v -> live);
    });
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    String key = key(socket, id);
    return get(key).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      Connection c;
      try {
        c = ConnectionCodec.decode(socket, id, found.get());
      } catch (IllegalArgumentException e) {
        throw new ConnectionStoreException(where() + ": the value of key '" + key + "' is not a connection: "
            + e.getMessage(), e);
      }
      if (c.isExpiredAt(clock.instant())) {
        return deleteQuietly(key).thenApply(v -> Optional.empty());
      }
      return CompletableFuture.completedFuture(Optional.of(c));
    });
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    requireNonNull(socket, "socket");
    return scan(socket, COUNT_PAGE_SIZE, page -> CompletableFuture.completedFuture(null));
  }

  @Override
  public CompletionStage<Long> scan(
      SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    String prefix = prefix(socket);
    KeyScan scan = new KeyScan(pageSize, keys -> liveIds(prefix, keys), onPage,
        error -> storeError("ScanKeys '" + prefix + "'", error));
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

  // ---------------------------------------------------------------- scan page checks

  /** The ids of the keys whose entries are live, in key order; at most maxConcurrentReads reads at once. */
  private CompletionStage<List<ConnectionId>> liveIds(String prefix, List<String> keys) {
    ConnectionId[] found = new ConnectionId[keys.size()];
    CompletableFuture<List<ConnectionId>> done = new CompletableFuture<>();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger remaining = new AtomicInteger(keys.size());
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (!done.isDone()) {
        int i = next.getAndIncrement();
        if (i >= keys.size()) {
          return;
        }
        CompletableFuture<ConnectionId> checked = liveId(prefix, keys.get(i)).toCompletableFuture();
        BiConsumer<ConnectionId, Throwable> record = (id, error) -> {
          if (error != null) {
            done.completeExceptionally(error instanceof java.util.concurrent.CompletionException
                && error.getCause() != null ? error.getCause() : error);
          } else {
            found[i] = id;
            if (remaining.decrementAndGet() == 0) {
              List<ConnectionId> ids = new ArrayList<>(found.length);
              Arrays.stream(found).filter(Objects::nonNull).forEach(ids::add);
              done.complete(ids);
            }
          }
        };
        if (!checked.isDone()) {
          checked.whenComplete((id, error) -> {
            record.accept(id, error);
            pump[0].run();
          });
          return;
        }
        checked.whenComplete(record);
      }
    };
    int workers = Math.min(maxConcurrentReads, keys.size());
    for (int w = 0; w < workers; w++) {
      pump[0].run();
    }
    return done;
  }

  /** The id of a scanned key if its entry is live; null if absent, expired or unreadable. */
  private CompletionStage<ConnectionId> liveId(String prefix, String key) {
    ConnectionId id;
    try {
      id = ConnectionId.of(key.substring(prefix.length()));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      LOG.warn("{}: key '{}' does not name a connection ({}); skipped", where(), LogText.escape(key), LogText.escape(e.getMessage()));
      return CompletableFuture.completedFuture(null);
    }
    return get(key).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      try {
        if (!ConnectionCodec.expiresAt(found.get()).isAfter(clock.instant())) {
          return deleteQuietly(key).thenApply(v -> null);
        }
      } catch (IllegalArgumentException e) {
        LOG.warn("{}: the value of key '{}' is not a connection ({}); skipped", where(), LogText.escape(key), LogText.escape(e.getMessage()));
        return CompletableFuture.completedFuture(null);
      }
      return CompletableFuture.completedFuture(id);
    });
  }

  // ---------------------------------------------------------------- calls

  /** The content of {@code key}; empty when the store does not have it. */
  private CompletableFuture<Optional<Struct>> get(String key) {
    KvStoreGetValueRequest request = KvStoreGetValueRequest.newBuilder().setRef(ref(key)).build();
    return this.<KvStoreGetValueRequest, KvStoreGetValueResponse>unary((r, o) -> stub().getValue(r, o), request)
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

  private CompletableFuture<Void> delete(String key) {
    KvStoreDeleteKeyRequest request = KvStoreDeleteKeyRequest.newBuilder().setRef(ref(key)).build();
    return this.<KvStoreDeleteKeyRequest, KvStoreDeleteKeyResponse>unary((r, o) -> stub().deleteKey(r, o), request)
        .handle((ok, error) -> {
          if (error != null && Status.fromThrowable(error).getCode() != Status.Code.NOT_FOUND) {
            throw storeError("DeleteKey '" + key + "'", error);
          }
          return null;
        });
  }

  /** Deletes an expired entry; a failure is only logged (the entry stays expired, so absent). */
  private CompletableFuture<Void> deleteQuietly(String key) {
    return delete(key).exceptionally(error -> {
      LOG.debug("{}: could not delete expired key '{}': {}", where(), LogText.escape(key), LogText.escape(error));
      return null;
    });
  }

  private boolean isLive(String key, Struct content) {
    try {
      return ConnectionCodec.expiresAt(content).isAfter(clock.instant());
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: the value of key '{}' is not a connection ({}); removed", where(), LogText.escape(key), LogText.escape(e.getMessage()));
      return true;
    }
  }

  private <Q, R> CompletableFuture<R> unary(BiConsumer<Q, StreamObserver<R>> call, Q request) {
    CompletableFuture<R> result = new CompletableFuture<>();
    try {
      call.accept(request, new StreamObserver<>() {
        private R value;

        @Override
        public void onNext(R v) {
          value = v;
        }

        @Override
        public void onError(Throwable t) {
          result.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
          result.complete(value);
        }
      });
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result;
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

  private ConnectionStoreException storeError(String what, Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
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
    private int maxConcurrentReads = DEFAULT_MAX_CONCURRENT_READS;
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

    /** How many keys of a scan page are read at once (default {@value #DEFAULT_MAX_CONCURRENT_READS}). */
    public Builder maxConcurrentReads(int reads) {
      if (reads < 1 || reads > 1_024) {
        throw new IllegalArgumentException("maxConcurrentReads must be between 1 and 1024, got " + reads);
      }
      this.maxConcurrentReads = reads;
      return this;
    }

    /** A deadline for each unary call (none by default; a scan's stream never has one). */
    public Builder deadline(Duration deadline) {
      requireNonNull(deadline, "deadline");
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline must be positive, got " + deadline);
      }
      this.deadline = Optional.of(deadline);
      return this;
    }

    public NitricKvConnectionRegistry build() {
      return new NitricKvConnectionRegistry(this);
    }
  }
}
