package dev.nitricws.runtime.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.nitricws.proto.kvstore.v1.KvStoreDeleteKeyRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreGetValueRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysResponse;
import dev.nitricws.proto.kvstore.v1.KvStoreSetValueRequest;
import dev.nitricws.proto.kvstore.v1.Store;
import dev.nitricws.proto.kvstore.v1.ValueRef;
import dev.nitricws.runtime.RuntimeAndApp;
import dev.nitricws.runtime.TestApp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The KvStore service over real gRPC, in memory. */
class KvStoreServiceTest {

  @RegisterExtension
  final RuntimeAndApp local = new RuntimeAndApp();
  private TestApp app;

  @BeforeEach
  void start() {
    local.start();
    app = local.app();
  }

  @Test
  void setThenGetAnswersTheValueWithItsRef() {
    Struct content = json("socket", "chat");

    set(app, "connections", "c1", content);

    var value = app.kv().getValue(get("connections", "c1")).getValue();
    assertThat(value.getContent()).isEqualTo(content);
    assertThat(value.getRef()).isEqualTo(ref("connections", "c1"));
  }

  @Test
  void setReplacesTheValue() {
    set(app, "connections", "c1", json("v", "1"));
    set(app, "connections", "c1", json("v", "2"));

    assertThat(app.kv().getValue(get("connections", "c1")).getValue().getContent()).isEqualTo(json("v", "2"));
  }

  @Test
  void getOfAMissingKeyOrStoreIsNotFound() {
    set(app, "connections", "c1", json("v", "1"));

    assertNotFound(() -> app.kv().getValue(get("connections", "missing")));
    assertNotFound(() -> app.kv().getValue(get("no-such-store", "c1")));
  }

  @Test
  void deleteRemovesTheKeyAndIsIdempotent() {
    set(app, "connections", "c1", json("v", "1"));

    app.kv().deleteKey(KvStoreDeleteKeyRequest.newBuilder().setRef(ref("connections", "c1")).build());
    app.kv().deleteKey(KvStoreDeleteKeyRequest.newBuilder().setRef(ref("connections", "c1")).build());
    app.kv().deleteKey(KvStoreDeleteKeyRequest.newBuilder().setRef(ref("no-such-store", "c1")).build());

    assertNotFound(() -> app.kv().getValue(get("connections", "c1")));
  }

  @Test
  void scanStreamsTheKeysWithThePrefixInOrder() {
    set(app, "s", "user:2", json("v", "1"));
    set(app, "s", "room:1", json("v", "1"));
    set(app, "s", "user:1", json("v", "1"));
    set(app, "s", "user", json("v", "1"));
    set(app, "s", "usex", json("v", "1"));
    set(app, "other", "user:9", json("v", "1"));

    assertThat(scan(app, "s", "user:")).containsExactly("user:1", "user:2");
    assertThat(scan(app, "s", "")).containsExactly("room:1", "user", "user:1", "user:2", "usex");
    assertThat(scan(app, "s", "zzz")).isEmpty();
    assertThat(scan(app, "no-such-store", "")).isEmpty();
  }

  @Test
  void emptyStoreOrKeyIsInvalid() {
    assertThatThrownBy(() -> set(app, "", "k", json("v", "1")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> app.kv().getValue(get("s", "")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> scan(app, "", ""))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void largeScanHonoursAClientThatReadsOneKeyAtATime() {
    int count = 6_000; // ~100 KB of keys, more than the 64 KB HTTP/2 flow-control window
    for (int i = 0; i < count; i++) {
      set(app, "big", String.format("conn-%06d", i), json("i", Integer.toString(i)));
    }
    List<String> keys = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();

    // a client with manual flow control: the server may only send what the client asked for
    app.kvAsync().scanKeys(
        KvStoreScanKeysRequest.newBuilder().setStore(Store.newBuilder().setName("big")).setPrefix("conn-").build(),
        new ClientResponseObserver<KvStoreScanKeysRequest, KvStoreScanKeysResponse>() {
          private ClientCallStreamObserver<KvStoreScanKeysRequest> call;

          @Override
          public void beforeStart(ClientCallStreamObserver<KvStoreScanKeysRequest> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(1);
          }

          @Override
          public void onNext(KvStoreScanKeysResponse value) {
            keys.add(value.getKey());
            call.request(1);
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });

    done.orTimeout(60, TimeUnit.SECONDS).join();
    assertThat(keys).hasSize(count).isSorted();
    assertThat(keys.get(0)).isEqualTo("conn-000000");
    assertThat(scan(app, "big", "conn-001")).hasSize(1_000);
  }

  static Struct json(String field, String value) {
    return Struct.newBuilder().putFields(field, Value.newBuilder().setStringValue(value).build()).build();
  }

  static ValueRef ref(String store, String key) {
    return ValueRef.newBuilder().setStore(store).setKey(key).build();
  }

  static KvStoreGetValueRequest get(String store, String key) {
    return KvStoreGetValueRequest.newBuilder().setRef(ref(store, key)).build();
  }

  static void set(TestApp app, String store, String key, Struct content) {
    app.kv().setValue(KvStoreSetValueRequest.newBuilder().setRef(ref(store, key)).setContent(content).build());
  }

  static List<String> scan(TestApp app, String store, String prefix) {
    List<String> keys = new ArrayList<>();
    app.kv()
        .scanKeys(KvStoreScanKeysRequest.newBuilder().setStore(Store.newBuilder().setName(store)).setPrefix(prefix).build())
        .forEachRemaining(response -> keys.add(response.getKey()));
    return keys;
  }

  static void assertNotFound(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }
}
