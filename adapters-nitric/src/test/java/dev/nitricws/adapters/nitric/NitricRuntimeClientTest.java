package dev.nitricws.adapters.nitric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nitricws.adapters.nitric.events.FakeEventRuntime;
import dev.nitricws.adapters.nitric.send.FakeWebsocketService;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import dev.nitricws.proto.resources.v1.ResourceType;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The facade over a real (loopback) gRPC connection to fake runtime services. */
class NitricRuntimeClientTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private final FakeEventRuntime events = new FakeEventRuntime();
  private final NitricResourcesTest.FakeResources resources = new NitricResourcesTest.FakeResources();
  private final FakeWebsocketService websocket = new FakeWebsocketService();
  private Server server;

  @BeforeEach
  void start() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(events).addService(resources).addService(websocket).build().start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void servingDeclaresEverythingRegistersTheHandlersAndCloseStopsInReverse() {
    NitricRuntimeClient nitric = connect("run");
    WebsocketApp app = chatApp(nitric);
    try {
      assertThat(nitric.isServing()).as("not before serve").isFalse();
      assertThat(nitric.serve(app).toCompletableFuture()).succeedsWithin(WAIT);

      assertThat(nitric.isServing()).isTrue();
      assertThat(resources.requests).extracting(r -> r.getId().getType() + ":" + r.getId().getName())
          .containsExactly("Websocket:chat", "Policy:", "KeyValueStore:connections", "Policy:");
      assertThat(resources.requests.get(2).getId().getType()).isEqualTo(ResourceType.KeyValueStore);
      assertThat(events.registrations).hasSize(3);
      assertThat(nitric.sender().send(SocketName.of("chat"), ConnectionId.of("c1"), new byte[] {1})
          .toCompletableFuture()).succeedsWithin(WAIT).isEqualTo(SendOutcome.DELIVERED);
      assertThat(nitric.kvRegistry("connections")).isSameAs(nitric.kvRegistry("connections"));
    } finally {
      nitric.close();
      app.close();
    }

    assertThat(events.halfClosedByClient).extracting(FakeEventRuntime.Key::type)
        .containsExactlyInAnyOrder(WebsocketEventType.Connect, WebsocketEventType.Disconnect, WebsocketEventType.Message);
    assertThat(((ManagedChannel) nitric.channel()).isTerminated()).isTrue();
    assertThat(nitric.isServing()).as("not after close").isFalse();
    assertThatThrownBy(() -> nitric.kvRegistry("connections")).isInstanceOf(IllegalStateException.class);
    await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> events.registrations.size() == 3);
    assertThat(List.copyOf(events.refused)).isEmpty();
  }

  @Test
  void underTheCliCollectionServingDeclaresRegistersOnceAndCompletesWhenTheStreamsHaveEnded() {
    events.endStreamsAfterRegistration();
    NitricRuntimeClient nitric = connect("build");
    WebsocketApp app = chatApp(nitric);
    try {
      assertThat(nitric.serve(app).toCompletableFuture()).succeedsWithin(WAIT);

      assertThat(resources.requests).extracting(r -> r.getId().getType() + ":" + r.getId().getName())
          .containsExactly("Websocket:chat", "Policy:", "KeyValueStore:connections", "Policy:");
      assertThat(events.registrations).extracting(FakeEventRuntime.Key::type)
          .containsExactlyInAnyOrder(WebsocketEventType.Connect, WebsocketEventType.Disconnect, WebsocketEventType.Message);
      await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> events.firstMessages.size() == 3);
      assertThat(websocket.sent).isEmpty();
    } finally {
      nitric.close();
      app.close();
    }
    assertThat(((ManagedChannel) nitric.channel()).isTerminated()).isTrue();
  }

  @Test
  void sendsThroughTheRuntimeAreBoundedByTheSendTimeout() {
    websocket.failures.put("stuck", FakeWebsocketService.NEVER);
    NitricSettings settings = NitricSettings.address("127.0.0.1:" + server.getPort(), NitricSettings.Environment.RUN);
    NitricRuntimeClient nitric = NitricRuntimeClient.builder(settings).sendTimeout(Duration.ofMillis(300)).connect();
    try {
      assertThat(nitric.sender().send(SocketName.of("chat"), ConnectionId.of("stuck"), new byte[] {1})
          .toCompletableFuture()).succeedsWithin(WAIT).isInstanceOfSatisfying(SendOutcome.Failed.class, f ->
              assertThat(((NitricCallException) f.cause()).status().getCode()).isEqualTo(io.grpc.Status.Code.DEADLINE_EXCEEDED));
      assertThat(nitric.sender().close(SocketName.of("chat"), ConnectionId.of("stuck"))
          .toCompletableFuture()).succeedsWithin(WAIT).isInstanceOf(SendOutcome.Failed.class);
    } finally {
      nitric.close();
    }
    assertThat(NitricRuntimeClient.DEFAULT_SEND_TIMEOUT).isEqualTo(Duration.ofSeconds(10));
  }

  private NitricRuntimeClient connect(String environment) {
    return NitricRuntimeClient.connect(NitricSettings.from(Map.of(
        "SERVICE_ADDRESS", "127.0.0.1:" + server.getPort(), "NITRIC_ENVIRONMENT", environment)));
  }

  private static WebsocketApp chatApp(NitricRuntimeClient nitric) {
    return WebsocketApp.builder(nitric.kvRegistry("connections"), nitric.sender())
        .socket("chat", SocketHandler.builder().build())
        .build();
  }
}
