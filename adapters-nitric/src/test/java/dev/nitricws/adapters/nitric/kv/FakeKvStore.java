package dev.nitricws.adapters.nitric.kv;

import com.google.protobuf.Struct;
import dev.nitricws.proto.kvstore.v1.KvStoreDeleteKeyRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreDeleteKeyResponse;
import dev.nitricws.proto.kvstore.v1.KvStoreGetValueRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreGetValueResponse;
import dev.nitricws.proto.kvstore.v1.KvStoreGrpc;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysResponse;
import dev.nitricws.proto.kvstore.v1.KvStoreSetValueRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreSetValueResponse;
import dev.nitricws.proto.kvstore.v1.Value;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A KvStore service over maps, for the adapter's unit tests (the registry contract also runs
 * against the real local runtime in it-tests). ScanKeys sends a key only while the client has
 * asked for more, and counts what it sent, so tests can see the client's flow control. It counts
 * every call, and its {@link ScanOrder} says which keys a scan returns in which order, as the
 * different Nitric runtimes do.
 */
public final class FakeKvStore extends KvStoreGrpc.KvStoreImplBase {

  /** Which keys ScanKeys returns, and in which order. */
  public enum ScanOrder {
    /** The keys that start with the prefix, sorted: the local runtimes (a sorted map, BoltDB). */
    SORTED,
    /**
     * Every key at or after the prefix, sorted, whatever it starts with: the Azure runtime's
     * {@code RowKey ge '<prefix>'} filter.
     */
    GREATER_OR_EQUAL,
    /**
     * The keys that start with the prefix in no useful order (sorted by the reversed key, so that
     * keys sharing a start are spread out): a table scan such as DynamoDB's.
     */
    UNSORTED
  }

  public final Map<String, ConcurrentSkipListMap<String, Struct>> stores = new ConcurrentHashMap<>();
  public final AtomicInteger keysSent = new AtomicInteger();
  public final AtomicInteger getValueCalls = new AtomicInteger();
  public final AtomicInteger setValueCalls = new AtomicInteger();
  public final AtomicInteger deleteKeyCalls = new AtomicInteger();
  public final AtomicInteger scanKeysCalls = new AtomicInteger();
  public final AtomicInteger scansCancelled = new AtomicInteger();
  public volatile ScanOrder scanOrder = ScanOrder.SORTED;
  /** Answer NOT_FOUND when DeleteKey names a missing key, as the reference local runtime does. */
  public volatile boolean deleteMissingIsNotFound;
  public volatile Status failure;
  /** Runs with the key of each GetValue before it is read: lets a test change the store between two calls. */
  public volatile Consumer<String> beforeGetValue = key -> { };

  public ConcurrentSkipListMap<String, Struct> store(String name) {
    return stores.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
  }

  @Override
  public void getValue(KvStoreGetValueRequest request, StreamObserver<KvStoreGetValueResponse> responses) {
    getValueCalls.incrementAndGet();
    if (failed(responses)) {
      return;
    }
    beforeGetValue.accept(request.getRef().getKey());
    Struct content = store(request.getRef().getStore()).get(request.getRef().getKey());
    if (content == null) {
      responses.onError(Status.NOT_FOUND.withDescription("key not found").asRuntimeException());
      return;
    }
    responses.onNext(KvStoreGetValueResponse.newBuilder()
        .setValue(Value.newBuilder().setRef(request.getRef()).setContent(content)).build());
    responses.onCompleted();
  }

  @Override
  public void setValue(KvStoreSetValueRequest request, StreamObserver<KvStoreSetValueResponse> responses) {
    setValueCalls.incrementAndGet();
    if (failed(responses)) {
      return;
    }
    store(request.getRef().getStore()).put(request.getRef().getKey(), request.getContent());
    responses.onNext(KvStoreSetValueResponse.getDefaultInstance());
    responses.onCompleted();
  }

  @Override
  public void deleteKey(KvStoreDeleteKeyRequest request, StreamObserver<KvStoreDeleteKeyResponse> responses) {
    deleteKeyCalls.incrementAndGet();
    if (failed(responses)) {
      return;
    }
    Struct removed = store(request.getRef().getStore()).remove(request.getRef().getKey());
    if (removed == null && deleteMissingIsNotFound) {
      responses.onError(Status.NOT_FOUND.withDescription("key not found").asRuntimeException());
      return;
    }
    responses.onNext(KvStoreDeleteKeyResponse.getDefaultInstance());
    responses.onCompleted();
  }

  @Override
  public void scanKeys(KvStoreScanKeysRequest request, StreamObserver<KvStoreScanKeysResponse> responses) {
    scanKeysCalls.incrementAndGet();
    if (failed(responses)) {
      return;
    }
    String prefix = request.getPrefix();
    ConcurrentSkipListMap<String, Struct> store = store(request.getStore().getName());
    Iterator<String> keys = switch (scanOrder) {
      case SORTED -> store.tailMap(prefix, true).keySet().stream().takeWhile(k -> k.startsWith(prefix)).iterator();
      case GREATER_OR_EQUAL -> store.tailMap(prefix, true).keySet().iterator();
      case UNSORTED -> {
        List<String> found = store.keySet().stream().filter(k -> k.startsWith(prefix))
            .sorted(Comparator.comparing(k -> new StringBuilder(k).reverse().toString())).toList();
        yield found.iterator();
      }
    };
    ServerCallStreamObserver<KvStoreScanKeysResponse> call = (ServerCallStreamObserver<KvStoreScanKeysResponse>) responses;
    boolean[] done = new boolean[1];
    call.setOnCancelHandler(() -> {
      done[0] = true;
      scansCancelled.incrementAndGet();
    });
    call.setOnReadyHandler(() -> {
      while (!done[0] && call.isReady()) {
        if (!keys.hasNext()) {
          done[0] = true;
          call.onCompleted();
          return;
        }
        call.onNext(KvStoreScanKeysResponse.newBuilder().setKey(keys.next()).build());
        keysSent.incrementAndGet();
      }
    });
  }

  private boolean failed(StreamObserver<?> responses) {
    Status f = failure;
    if (f != null) {
      responses.onError(f.asRuntimeException());
      return true;
    }
    return false;
  }
}
