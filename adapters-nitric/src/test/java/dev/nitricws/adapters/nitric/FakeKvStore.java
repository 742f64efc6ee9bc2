package dev.nitricws.adapters.nitric;

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
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A KvStore service over maps, for the adapter's unit tests (the registry contract runs against
 * the real local runtime in it-tests). ScanKeys sends a key only while the client has asked for
 * more, and counts what it sent, so tests can see the client's flow control.
 */
final class FakeKvStore extends KvStoreGrpc.KvStoreImplBase {

  final Map<String, ConcurrentSkipListMap<String, Struct>> stores = new ConcurrentHashMap<>();
  final AtomicInteger keysSent = new AtomicInteger();
  volatile Status failure;

  ConcurrentSkipListMap<String, Struct> store(String name) {
    return stores.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
  }

  @Override
  public void getValue(KvStoreGetValueRequest request, StreamObserver<KvStoreGetValueResponse> responses) {
    if (failed(responses)) {
      return;
    }
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
    if (failed(responses)) {
      return;
    }
    store(request.getRef().getStore()).put(request.getRef().getKey(), request.getContent());
    responses.onNext(KvStoreSetValueResponse.getDefaultInstance());
    responses.onCompleted();
  }

  @Override
  public void deleteKey(KvStoreDeleteKeyRequest request, StreamObserver<KvStoreDeleteKeyResponse> responses) {
    if (failed(responses)) {
      return;
    }
    store(request.getRef().getStore()).remove(request.getRef().getKey());
    responses.onNext(KvStoreDeleteKeyResponse.getDefaultInstance());
    responses.onCompleted();
  }

  @Override
  public void scanKeys(KvStoreScanKeysRequest request, StreamObserver<KvStoreScanKeysResponse> responses) {
    if (failed(responses)) {
      return;
    }
    String prefix = request.getPrefix();
    Iterator<String> keys = store(request.getStore().getName()).tailMap(prefix, true).keySet().stream()
        .takeWhile(k -> k.startsWith(prefix)).iterator();
    ServerCallStreamObserver<KvStoreScanKeysResponse> call = (ServerCallStreamObserver<KvStoreScanKeysResponse>) responses;
    boolean[] done = new boolean[1];
    call.setOnCancelHandler(() -> done[0] = true);
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
