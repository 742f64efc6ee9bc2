package dev.nitricws.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.proto.kvstore.v1.KvStoreGetValueRequest;
import dev.nitricws.proto.kvstore.v1.ValueRef;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Who can reach the gRPC port: where it listens, and the optional shared token. */
class GrpcAccessTest {

  private static final String TOKEN = "s3cret-t0ken";

  /** Whether a TCP connection to the port on 127.0.0.2 (loopback, but not the address 127.0.0.1) opens. */
  private static boolean reachableOnAnotherAddress(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port), 2000);
      return true;
    } catch (java.net.ConnectException refused) {
      return false;
    }
  }

  @Test
  void theGrpcPortStaysOnLoopbackWhenTheWebsocketsListenOnEveryAddress() throws Exception {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).bindHost("0.0.0.0")
        .build().start()) {
      int wsPort = runtime.declareWebsocket("chat");

      assertThat(reachableOnAnotherAddress(wsPort)).as("the websocket port, on every address").isTrue();
      assertThat(reachableOnAnotherAddress(runtime.grpcPort())).as("the gRPC port, on 127.0.0.1 only").isFalse();
      assertThat(runtime.serviceAddress()).isEqualTo("127.0.0.1:" + runtime.grpcPort());
    }
  }

  @Test
  void grpcHostOpensTheGrpcPortSeparately() throws Exception {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).grpcHost("0.0.0.0")
        .build().start()) {
      int wsPort = runtime.declareWebsocket("chat");

      assertThat(reachableOnAnotherAddress(runtime.grpcPort())).isTrue();
      assertThat(reachableOnAnotherAddress(wsPort)).isFalse();
    }
  }

  @Test
  void withATokenEveryCallWithoutItIsUnauthenticated() {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).grpcToken(TOKEN)
        .build().start();
        TestApp anonymous = new TestApp(runtime.grpcPort());
        TestApp wrong = new TestApp(runtime.grpcPort(), "Bearer not-" + TOKEN);
        TestApp basic = new TestApp(runtime.grpcPort(), "Basic " + TOKEN)) {
      runtime.declareWebsocket("chat");

      for (TestApp app : new TestApp[] {anonymous, wrong, basic}) {
        assertThatThrownBy(() -> app.websocket().socketDetails(
                WebsocketDetailsRequest.newBuilder().setSocketName("chat").build()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription()).contains("authorization: Bearer <token>")
                  .doesNotContain(TOKEN);
            });
        assertThatThrownBy(() -> app.declareWebsocket("other")).isInstanceOf(StatusRuntimeException.class);
        Status stream = app.openStream(TestApp.Mode.ACCEPT).ended.orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(stream.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      }
      assertThat(runtime.websockets()).containsExactly("chat");
    }
  }

  @Test
  void withTheTokenEveryServiceAnswers() {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).grpcToken(TOKEN)
        .build().start();
        TestApp app = new TestApp(runtime.grpcPort(), "Bearer " + TOKEN)) {
      app.declareWebsocket("chat");
      app.register("chat", WebsocketEventType.Connect, TestApp.Mode.ACCEPT);

      assertThat(app.websocket().socketDetails(WebsocketDetailsRequest.newBuilder().setSocketName("chat").build())
          .getUrl()).startsWith("ws://");
      assertThatThrownBy(() -> app.kv().getValue(KvStoreGetValueRequest.newBuilder()
              .setRef(ValueRef.newBuilder().setStore("s").setKey("k")).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
      assertThat(WsClient.open(runtime.websocketPort("chat"), "/").socket()).isNotNull();
    }
  }

  @Test
  void aBlankTokenIsRefused() {
    assertThatThrownBy(() -> LocalRuntime.builder().grpcToken(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("grpcToken must not be blank");
  }
}
