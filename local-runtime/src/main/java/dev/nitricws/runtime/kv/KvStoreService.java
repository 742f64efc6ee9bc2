package dev.nitricws.runtime.kv;

import static java.util.Objects.requireNonNull;

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
import dev.nitricws.proto.kvstore.v1.ValueRef;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.function.Function;

/** The KvStore gRPC service over {@link KvStorage}. */
public final class KvStoreService extends KvStoreGrpc.KvStoreImplBase {

  private final KvStorage storage;

  public KvStoreService(KvStorage storage) {
    this.storage = requireNonNull(storage, "storage");
  }

  @Override
  public void getValue(KvStoreGetValueRequest request, StreamObserver<KvStoreGetValueResponse> responses) {
    answer(request.getRef(), responses, ref -> {
      Struct content = storage.get(ref.getStore(), ref.getKey()).orElseThrow(() -> Status.NOT_FOUND
          .withDescription(String.format("key '%s' not found in store '%s'", ref.getKey(), ref.getStore()))
          .asRuntimeException());
      return KvStoreGetValueResponse.newBuilder().setValue(Value.newBuilder().setRef(ref).setContent(content)).build();
    });
  }

  @Override
  public void setValue(KvStoreSetValueRequest request, StreamObserver<KvStoreSetValueResponse> responses) {
    answer(request.getRef(), responses, ref -> {
      storage.set(ref.getStore(), ref.getKey(), request.getContent());
      return KvStoreSetValueResponse.getDefaultInstance();
    });
  }

  @Override
  public void deleteKey(KvStoreDeleteKeyRequest request, StreamObserver<KvStoreDeleteKeyResponse> responses) {
    answer(request.getRef(), responses, ref -> {
      storage.delete(ref.getStore(), ref.getKey());
      return KvStoreDeleteKeyResponse.getDefaultInstance();
    });
  }

  @Override
  public void scanKeys(KvStoreScanKeysRequest request, StreamObserver<KvStoreScanKeysResponse> responses) {
    String store = request.getStore().getName();
    if (store.isEmpty()) {
      responses.onError(Status.INVALID_ARGUMENT.withDescription("store.name must not be empty").asRuntimeException());
      return;
    }
    ServerCallStreamObserver<KvStoreScanKeysResponse> call =
        (ServerCallStreamObserver<KvStoreScanKeysResponse>) responses;
    KeyStreamer streamer = new KeyStreamer(call, storage.keys(store, request.getPrefix()));
    call.setOnCancelHandler(streamer::cancel);
    // gRPC runs the handler now if the call is ready, and again each time it becomes ready
    call.setOnReadyHandler(streamer);
  }

  /**
   * Answers a call on one key: INVALID_ARGUMENT when the reference lacks its store or key, else
   * what {@code work} returns, or the status it throws.
   */
  private static <T> void answer(ValueRef ref, StreamObserver<T> responses, Function<ValueRef, T> work) {
    String problem = ref.getStore().isEmpty() ? "ref.store must not be empty"
        : ref.getKey().isEmpty() ? "ref.key must not be empty" : null;
    if (problem != null) {
      responses.onError(Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException());
      return;
    }
    T response;
    try {
      response = work.apply(ref);
    } catch (StatusRuntimeException e) {
      responses.onError(e);
      return;
    }
    responses.onNext(response);
    responses.onCompleted();
  }

  /**
   * Streams keys only while the transport is ready, so a large store never sits in memory as
   * queued messages; gRPC serialises onReady and onCancel, so no locking is needed.
   */
  private static final class KeyStreamer implements Runnable {
    private final ServerCallStreamObserver<KvStoreScanKeysResponse> call;
    private final Iterator<String> keys;
    private boolean done;

    KeyStreamer(ServerCallStreamObserver<KvStoreScanKeysResponse> call, Iterator<String> keys) {
      this.call = call;
      this.keys = keys;
    }

    @Override
    public void run() {
      while (!done && call.isReady()) {
        if (!keys.hasNext()) {
          done = true;
          call.onCompleted();
          return;
        }
        call.onNext(KvStoreScanKeysResponse.newBuilder().setKey(keys.next()).build());
      }
    }

    void cancel() {
      done = true;
    }
  }
}
