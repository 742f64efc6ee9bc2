package dev.nitricws.adapters.nitric.kv;

import com.google.protobuf.Struct;
import dev.nitricws.adapters.nitric.NitricCallException;
import dev.nitricws.adapters.nitric.Unary;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.Futures;
import dev.nitricws.domain.LogText;
import dev.nitricws.proto.kvstore.v1.KvStoreDeleteKeyRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreGetValueRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreGrpc;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreSetValueRequest;
import dev.nitricws.proto.kvstore.v1.Store;
import dev.nitricws.proto.kvstore.v1.ValueRef;
import io.grpc.Channel;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls a {@link NitricKvConnectionRegistry} makes to one store of the runtime's KvStore
 * service: GetValue, SetValue and DeleteKey with the unary deadline, ScanKeys without one. A
 * failed call completes with {@link ConnectionStoreException} ("Nitric KV store 'connections' at
 * &lt;target&gt;: ...") keeping the gRPC exception as the cause; the quiet variants used for
 * clean-ups only log it.
 */
final class KvCalls {

  private static final Logger LOG = LoggerFactory.getLogger(NitricKvConnectionRegistry.class);

  private final KvStoreGrpc.KvStoreStub stub;
  private final String store;
  private final String target;
  private final Optional<Duration> deadline;

  KvCalls(Channel channel, String store, Optional<Duration> deadline) {
    this.stub = KvStoreGrpc.newStub(channel);
    this.target = channel.authority();
    this.store = store;
    this.deadline = deadline;
  }

  /** The name of the key-value store. */
  String store() {
    return store;
  }

  /** The content of {@code key}; empty when the store does not have it. */
  CompletableFuture<Optional<Struct>> get(String key) {
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
  CompletableFuture<Optional<Struct>> getQuietly(String key) {
    return get(key).exceptionally(error -> {
      LOG.debug("{}: could not read key '{}': {}", where(), LogText.escape(key), LogText.escape(error));
      return null;
    });
  }

  CompletableFuture<Void> set(String key, Struct content) {
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
  CompletableFuture<Void> delete(String key) {
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
  CompletableFuture<Void> deleteQuietly(String key) {
    return delete(key).exceptionally(error -> {
      LOG.debug("{}: could not delete key '{}': {}", where(), LogText.escape(key), LogText.escape(error));
      return null;
    });
  }

  /**
   * One ScanKeys call for {@code prefix}, read a page at a time by a {@link KeyScan}: {@code
   * handlePage} gets the keys with the prefix, at most {@code pageSize} at a time, the next page
   * only once its stage has completed (with how many ids it handed on). Completes with the sum of
   * those counts. No deadline: a scan lasts as long as its consumer takes.
   */
  CompletableFuture<Long> scan(String prefix, int pageSize, Function<List<String>, CompletionStage<Integer>> handlePage) {
    KeyScan scan = new KeyScan(prefix, pageSize, handlePage, error -> storeError("ScanKeys '" + prefix + "'", error));
    try {
      stub.scanKeys(KvStoreScanKeysRequest.newBuilder()
          .setStore(Store.newBuilder().setName(store))
          .setPrefix(prefix)
          .build(), scan);
    } catch (RuntimeException e) {
      scan.onError(e);
    }
    return scan.result();
  }

  /** When the entry stored as {@code content} under {@code key} expires; empty (logged) when it is not a connection. */
  Optional<Instant> expiresAt(String key, Struct content) {
    try {
      return Optional.of(KvEntryCodec.expiresAt(content));
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: the value of key '{}' is not a connection ({})", where(), LogText.escape(key), LogText.escape(e.getMessage()));
      return Optional.empty();
    }
  }

  /** Names the store in log lines and errors: {@code Nitric KV store '<store>' at <target>}. */
  String where() {
    return "Nitric KV store '" + store + "' at " + target;
  }

  /** The store's exception for a failed call {@code what}; one that already is one is kept. */
  ConnectionStoreException storeError(String what, Throwable error) {
    Throwable cause = Futures.unwrap(error);
    if (cause instanceof ConnectionStoreException e) {
      return e;
    }
    return new ConnectionStoreException(where() + ": " + what + " failed: "
        + NitricCallException.describe(Status.fromThrowable(cause)), cause);
  }

  /** A completed stage, for a step with nothing to do. */
  static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  /** A stage that completes when every one of {@code stages} has (failing if one fails). */
  static CompletableFuture<Void> all(List<CompletableFuture<?>> stages) {
    return CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new));
  }

  private KvStoreGrpc.KvStoreStub stub() {
    return deadline.map(d -> stub.withDeadlineAfter(d.toNanos(), TimeUnit.NANOSECONDS)).orElse(stub);
  }

  private ValueRef ref(String key) {
    return ValueRef.newBuilder().setStore(store).setKey(key).build();
  }
}
