package dev.nitricws.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builder validation, lifecycle and the static page. */
class LocalRuntimeTest {

  @Test
  void badSettingsAreRefusedNamingTheValueAndTheRule() {
    assertThatThrownBy(() -> LocalRuntime.builder().grpcPort(70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("grpcPort must be between 0 and 65535, was 70000");
    assertThatThrownBy(() -> LocalRuntime.builder().firstWebsocketPort(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("firstWebsocketPort");
    assertThatThrownBy(() -> LocalRuntime.builder().maxMessageSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMessageSize must be positive, was 0");
    assertThatThrownBy(() -> LocalRuntime.builder().handlerTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("handlerTimeout must be positive, was PT0S");
    assertThatThrownBy(() -> LocalRuntime.builder().idleTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idleTimeout");
    assertThatThrownBy(() -> LocalRuntime.builder().pingInterval(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pingInterval");
    assertThatThrownBy(() -> LocalRuntime.builder().staticPageResource("no/such/page.html"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no/such/page.html");
    assertThatThrownBy(() -> LocalRuntime.builder().idleTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("idleTimeout");
  }

  @Test
  void startsOnceAndClosesIdempotently() {
    LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build();
    assertThatThrownBy(runtime::grpcPort).isInstanceOf(IllegalStateException.class);

    runtime.start();
    assertThat(runtime.grpcPort()).isPositive();
    assertThat(runtime.serviceAddress()).isEqualTo("127.0.0.1:" + runtime.grpcPort());
    assertThatThrownBy(runtime::start).isInstanceOf(IllegalStateException.class);

    runtime.close();
    runtime.close();
    assertThatThrownBy(runtime::grpcPort).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void busyGrpcPortFailsTheStartNamingThePort() {
    try (LocalRuntime first = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start()) {
      LocalRuntime second = LocalRuntime.builder().grpcPort(first.grpcPort()).firstWebsocketPort(0).build();

      assertThatThrownBy(second::start)
          .isInstanceOf(LocalRuntimeException.class)
          .hasMessageContaining(":" + first.grpcPort())
          .hasCauseInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void staticPageIsServedAtTheRootNextToTheWebsocket() throws Exception {
    String html = "<!doctype html><title>chat</title>";
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0)
        .staticPage(html.getBytes(UTF_8)).build().start();
        TestApp app = new TestApp(runtime.grpcPort())) {
      int port = runtime.declareWebsocket("chat");
      app.register("chat", WebsocketEventType.Connect, TestApp.Mode.ACCEPT);

      HttpResponse<String> root = WsClient.HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> other = WsClient.HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/other")).build(),
          HttpResponse.BodyHandlers.ofString());
      WsClient client = WsClient.open(port, "/");

      assertThat(root.statusCode()).isEqualTo(200);
      assertThat(root.body()).isEqualTo(html);
      assertThat(root.headers().firstValue("content-type")).hasValue("text/html; charset=UTF-8");
      assertThat(other.statusCode()).isEqualTo(404);
      assertThat(client.socket()).as("websocket upgrade on / still works").isNotNull();
    }
  }

  @Test
  void staticPageCanComeFromTheClasspath() throws Exception {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0)
        .staticPageResource("static-page-test.html").build().start()) {
      int port = runtime.declareWebsocket("chat");

      HttpResponse<String> root = WsClient.HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(root.body()).contains("from the classpath");
    }
  }
}
