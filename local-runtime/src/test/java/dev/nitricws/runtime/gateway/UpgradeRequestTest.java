package dev.nitricws.runtime.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.RawWebsocket;
import dev.nitricws.runtime.RuntimeInternals;
import dev.nitricws.runtime.TestApp;
import dev.nitricws.runtime.handlers.EventDispatcher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What the gateway answers to requests that are not a valid websocket upgrade: an HTTP error
 * with a short reason, no Connect event, and every buffer of the request released.
 */
class UpgradeRequestTest {

  private final List<WebsocketEventRequest> dispatched = new CopyOnWriteArrayList<>();
  private final EventDispatcher acceptAll = (type, event) -> {
    dispatched.add(event);
    return CompletableFuture.completedFuture(Optional.of(WebsocketEventResponse.newBuilder()
        .setConnectionResponse(WebsocketConnectionResponse.getDefaultInstance()).build()));
  };

  @Test
  void malformedQueryIsABadRequestAndItsBuffersAreReleased() {
    Answer answer = send(upgrade("/?a=%zz"));

    assertThat(answer.requestRefCnt()).as("the request's buffers are released").isZero();
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).isEqualTo("malformed query");
    assertThat(dispatched).as("no connect event").isEmpty();
  }

  @Test
  void upgradeWithoutAKeyIsABadRequestBeforeAnyConnectEvent() {
    Answer answer = send(upgrade("/", request -> request.headers().remove("Sec-WebSocket-Key")));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).isEqualTo("missing Sec-WebSocket-Key");
    assertThat(answer.requestRefCnt()).isZero();
    assertThat(dispatched).isEmpty();
  }

  @Test
  void upgradeWithoutConnectionUpgradeIsABadRequestBeforeAnyConnectEvent() {
    Answer answer = send(upgrade("/", request -> request.headers().set("Connection", "keep-alive")));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).isEqualTo("Connection header must contain upgrade");
    assertThat(dispatched).isEmpty();
  }

  @Test
  void upgradeWithAnotherMethodThanGetIsABadRequestBeforeAnyConnectEvent() {
    FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
        Unpooled.copiedBuffer("x", UTF_8));
    upgradeHeaders(post);

    Answer answer = send(post);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).isEqualTo("a websocket upgrade must be a GET");
    assertThat(answer.requestRefCnt()).isZero();
    assertThat(dispatched).isEmpty();
  }

  @Test
  void unsupportedWebsocketVersionIsAnswered426BeforeAnyConnectEvent() {
    Answer answer = send(upgrade("/", request -> request.headers().set("Sec-WebSocket-Version", "8")));

    assertThat(answer.status()).isEqualTo(426);
    assertThat(answer.response().headers().get("Sec-WebSocket-Version")).isEqualTo("13");
    assertThat(dispatched).isEmpty();
  }

  @Test
  void plainRequestToASocketPortIsABadRequest() {
    FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/chat");

    Answer answer = send(get);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).isEqualTo("not a websocket upgrade");
    assertThat(answer.requestRefCnt()).isZero();
  }

  @Test
  void malformedQueryOverTheNetworkIsABadRequestAndTheAppHearsNothing() throws Exception {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start();
        TestApp app = new TestApp(runtime.grpcPort())) {
      app.declareWebsocket("chat");
      TestApp.EventStream connects = app.register("chat", WebsocketEventType.Connect, TestApp.Mode.ACCEPT);

      String response = RawWebsocket.upgradeAnswer(runtime.websocketPort("chat"), "/?a=%zz&b=1");

      assertThat(response).startsWith("HTTP/1.1 400").endsWith("\r\n\r\nmalformed query");
      assertThat(connects.events.poll(Duration.ofMillis(300).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
          .isNull();
    }
  }

  @Test
  void malformedHeaderIsABadRequest() throws Exception {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start()) {
      int port = runtime.declareWebsocket("chat");

      String response = raw(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n");

      assertThat(response).startsWith("HTTP/1.1 400");
    }
  }

  private Answer send(FullHttpRequest request) {
    SocketEndpoint endpoint = new SocketEndpoint("chat", new OutboundBudget(64L << 20));
    GatewaySettings settings = RuntimeInternals.gatewaySettings(LocalRuntime.builder().maxMessageSize(4096));
    EmbeddedChannel channel = new EmbeddedChannel(
        new UpgradeHandler(endpoint, acceptAll, settings, WebSocketDecoderConfig.newBuilder().build(), null));
    channel.writeInbound(request);
    channel.runPendingTasks();
    FullHttpResponse response = channel.readOutbound();
    int requestRefCnt = request.refCnt();
    if (response == null) {
      channel.finishAndReleaseAll();
      return new Answer(-1, null, null, requestRefCnt);
    }
    Answer answer = new Answer(response.status().code(), response.content().toString(UTF_8), response,
        requestRefCnt);
    response.release();
    channel.finishAndReleaseAll();
    return answer;
  }

  /** The status and body of the answer (status -1: none), and the request's reference count after it. */
  private record Answer(int status, String body, FullHttpResponse response, int requestRefCnt) {}

  private static FullHttpRequest upgrade(String uri) {
    return upgrade(uri, request -> { });
  }

  private static FullHttpRequest upgrade(String uri, Consumer<FullHttpRequest> change) {
    ByteBuf content = Unpooled.buffer(0);
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri, content);
    upgradeHeaders(request);
    change.accept(request);
    return request;
  }

  private static void upgradeHeaders(FullHttpRequest request) {
    request.headers()
        .set("Host", "127.0.0.1")
        .set("Upgrade", "websocket")
        .set("Connection", "Upgrade")
        .set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .set("Sec-WebSocket-Version", "13");
  }

  /** Sends bytes as they are and returns everything the server answers before it closes. */
  static String raw(int port, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(UTF_8));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      in.transferTo(response);
      return response.toString(UTF_8);
    }
  }
}
