package dev.nitricws.runtime.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.nitricws.proto.websockets.v1.QueryValue;
import dev.nitricws.proto.websockets.v1.WebsocketCloseConnectionRequest;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketSendRequest;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.RawWebsocket;
import dev.nitricws.runtime.RuntimeAndApp;
import dev.nitricws.runtime.TestApp;
import dev.nitricws.runtime.TestApp.Event;
import dev.nitricws.runtime.TestApp.EventStream;
import dev.nitricws.runtime.TestApp.Mode;
import dev.nitricws.runtime.WsClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The gateway with real JDK websocket clients and a fake app over real gRPC, all on loopback. */
class WebsocketGatewayTest {

  private static final int MAX_MESSAGE = 4096;

  @RegisterExtension
  final RuntimeAndApp local = new RuntimeAndApp();
  private LocalRuntime runtime;
  private TestApp app;
  private int port;

  @BeforeEach
  void start() {
    local.start(settings -> settings.maxMessageSize(MAX_MESSAGE));
    runtime = local.runtime();
    app = local.app();
    app.declareWebsocket("chat");
    port = runtime.websocketPort("chat");
  }

  @Test
  void connectReachesTheAppWithEveryQueryValueBeforeTheUpgradeCompletes() throws Exception {
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.MANUAL);

    CompletableFuture<WsClient> client = WsClient.connect(port, "/?room=lobby&tag=a&tag=b&empty=");
    Event connect = connects.next();

    assertThat(client).as("upgrade waits for the app's answer").isNotDone();
    WebsocketEventRequest request = connect.request();
    assertThat(request.getSocketName()).isEqualTo("chat");
    assertThat(request.getConnectionId()).hasSize(36);
    assertThat(request.hasConnection()).isTrue();
    assertThat(request.getConnection().getQueryParamsMap())
        .containsOnlyKeys("room", "tag", "empty")
        .containsEntry("room", QueryValue.newBuilder().addValue("lobby").build())
        .containsEntry("tag", QueryValue.newBuilder().addValue("a").addValue("b").build())
        .containsEntry("empty", QueryValue.newBuilder().addValue("").build());

    connects.answer(connect.id(), false);
    WsClient open = client.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(open.socket()).isNotNull();
    await().atMost(TestApp.WAIT).until(() -> runtime.connectionCount("chat") == 1);
  }

  @Test
  void everyConnectionGetsAFreshId() throws Exception {
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);

    WsClient.open(port, "/");
    WsClient.open(port, "/some/path");

    assertThat(connects.next().request().getConnectionId())
        .isNotEqualTo(connects.next().request().getConnectionId());
  }

  @Test
  void rejectedConnectIsRefusedWithHttp500ConnectionRefused() throws Exception {
    app.register("chat", WebsocketEventType.Connect, Mode.REJECT);

    String response = RawWebsocket.upgradeAnswer(port, "/?user=blocked");

    assertThat(response).startsWith("HTTP/1.1 500");
    assertThat(response).endsWith("\r\n\r\nConnection Refused");
    assertThatThrownBy(() -> WsClient.connect(port, "/").orTimeout(10, TimeUnit.SECONDS).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(500));
    assertThat(runtime.connectionCount("chat")).isZero();
  }

  @Test
  void aRejectWithAStatusIsAnsweredWithTheAppsStatusAndReasonAsPlainText() throws Exception {
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.MANUAL);

    String response = upgradeAnswer(connects, "/?user=blocked", reject(429, "too many connections, try later"));

    assertThat(response).startsWith("HTTP/1.1 429 Too Many Requests\r\n");
    assertThat(response.toLowerCase()).contains("\r\ncontent-type: text/plain; charset=utf-8\r\n")
        .contains("\r\nx-content-type-options: nosniff\r\n");
    assertThat(response).endsWith("\r\n\r\ntoo many connections, try later");
    CompletableFuture<WsClient.Refusal> jdkClient = CompletableFuture.supplyAsync(() -> WsClient.refusal(port, "/"));
    connects.answer(connects.next().id(), reject(401, "expired token"));
    assertThat(jdkClient.get(10, TimeUnit.SECONDS)).isEqualTo(new WsClient.Refusal(401, "expired token"));
    assertThat(runtime.connectionCount("chat")).isZero();
  }

  @Test
  void aReasonIsCutAndEscapedAndAnEmptyOneIsTheStatusPhrase() throws Exception {
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.MANUAL);
    String hostile = "a\r\nSet-Cookie: x=1\u0000\u2028" + "é".repeat(300);

    String cut = upgradeAnswer(connects, "/", reject(451, hostile));
    String empty = upgradeAnswer(connects, "/", reject(403, ""));

    String body = cut.substring(cut.indexOf("\r\n\r\n") + 4);
    assertThat(cut).startsWith("HTTP/1.1 451 ").doesNotContain("\r\nSet-Cookie");
    assertThat(body).startsWith("a\\u000d\\u000aSet-Cookie: x=1\\u0000\\u2028éé")
        .doesNotContain("\r").doesNotContain("\n").doesNotContain("\u2028");
    // the first 256 characters, of which four are escaped as six each
    assertThat(body).hasSize(AppRejection.MAX_REASON_LENGTH + 4 * 5).endsWith("é");
    assertThat(empty).startsWith("HTTP/1.1 403 Forbidden\r\n").endsWith("\r\n\r\nForbidden");
  }

  @Test
  void aRejectWithoutAUsableStatusIsRefusedWith500ConnectionRefused() throws Exception {
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.MANUAL);

    for (int status : new int[] {0, 200, 302, 399, 600, -1}) {
      String response = upgradeAnswer(connects, "/", reject(status, "ignored"));

      assertThat(response).as("status %d", status).startsWith("HTTP/1.1 500 ").endsWith("\r\n\r\nConnection Refused");
    }
  }

  @Test
  void connectIsRefusedWhenTheHandlerStreamEndsBeforeAnswering() throws Exception {
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.MANUAL);
    CompletableFuture<WsClient> client = WsClient.connect(port, "/");
    connects.next();

    connects.cancelQuietly();

    assertThatThrownBy(() -> client.orTimeout(10, TimeUnit.SECONDS).join())
        .cause()
        .isInstanceOfSatisfying(WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(500));
  }

  @Test
  void messagesOfOneConnectionReachTheAppInOrderOneAtATime() throws Exception {
    acceptConnects();
    EventStream messages = app.register("chat", WebsocketEventType.Message, Mode.MANUAL);
    WsClient client = WsClient.open(port, "/");

    for (int i = 0; i < 5; i++) {
      client.send("m" + i);
    }
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Event event = messages.next();
      bodies.add(event.request().getMessage().getBody().toStringUtf8());
      // the next frame is held back until this one is answered
      await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(messages.events::isEmpty);
      messages.answer(event.id(), false);
    }

    assertThat(bodies).containsExactly("m0", "m1", "m2", "m3", "m4");
  }

  @Test
  void textAndBinaryFramesReachTheAppAsTheirBytes() throws Exception {
    acceptConnects();
    EventStream messages = app.register("chat", WebsocketEventType.Message, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");
    byte[] binary = {(byte) 0xff, 0x00, (byte) 0xfe, 0x41};

    client.send("héllo ✓");
    client.send(binary);

    Event text = messages.next();
    assertThat(text.request().getMessage().getBody().toByteArray()).isEqualTo("héllo ✓".getBytes(UTF_8));
    assertThat(text.request().getSocketName()).isEqualTo("chat");
    assertThat(messages.next().request().getMessage().getBody().toByteArray()).isEqualTo(binary);
  }

  @Test
  void fragmentedMessageUnderTheLimitIsOneEvent() throws Exception {
    acceptConnects();
    EventStream messages = app.register("chat", WebsocketEventType.Message, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");

    client.socket().sendText("a".repeat(1500), false).join();
    client.socket().sendText("b".repeat(1500), true).join();

    assertThat(messages.next().request().getMessage().getBody().toStringUtf8())
        .isEqualTo("a".repeat(1500) + "b".repeat(1500));
  }

  @Test
  void sendMessageWritesUtf8AsTextAndOtherBytesAsBinary() throws Exception {
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");
    String id = connects.next().request().getConnectionId();
    byte[] notUtf8 = {(byte) 0xc3, 0x28, 0x00, (byte) 0xff};

    app.websocket().sendMessage(send(id, ByteString.copyFromUtf8("hi ✓")));
    app.websocket().sendMessage(send(id, ByteString.copyFrom(notUtf8)));

    assertThat(client.next()).isEqualTo("hi ✓");
    assertThat(client.next()).isEqualTo(notUtf8);
  }

  @Test
  void sendToAnUnknownConnectionFailsWithUnknownCouldNotGetConnection() {
    assertThatThrownBy(() -> app.websocket().sendMessage(send("no-such-id", ByteString.copyFromUtf8("x"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
          assertThat(e.getStatus().getDescription()).isEqualTo("could not get connection no-such-id");
        });
    assertThatThrownBy(() -> app.websocket().closeConnection(close("no-such-id")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
          assertThat(e.getStatus().getDescription()).isEqualTo("could not get connection no-such-id");
        });
  }

  @Test
  void sendToAnUndeclaredSocketFailsWithNotFound() {
    assertThatThrownBy(() -> app.websocket().sendMessage(WebsocketSendRequest.newBuilder()
            .setSocketName("nope").setConnectionId("x").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void closeConnectionClosesWithNormalClosureThenDisconnectFollows() throws Exception {
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    EventStream disconnects = app.register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");
    String id = connects.next().request().getConnectionId();

    app.websocket().closeConnection(close(id));

    assertThat(client.awaitClose()).isEqualTo(1000);
    WebsocketEventRequest disconnect = disconnects.next().request();
    assertThat(disconnect.getConnectionId()).isEqualTo(id);
    assertThat(disconnect.hasDisconnection()).isTrue();
    assertThat(runtime.connectionCount("chat")).isZero();
    assertThatThrownBy(() -> app.websocket().sendMessage(send(id, ByteString.copyFromUtf8("late"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));
  }

  @Test
  void clientCloseSendsExactlyOneDisconnect() throws Exception {
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    EventStream disconnects = app.register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");
    String id = connects.next().request().getConnectionId();

    client.close();

    assertThat(client.awaitClose()).isEqualTo(1000);
    assertThat(disconnects.next().request().getConnectionId()).isEqualTo(id);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(disconnects.events::isEmpty);
  }

  @Test
  void droppedClientSendsDisconnect() throws Exception {
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    EventStream disconnects = app.register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");
    String id = connects.next().request().getConnectionId();

    client.socket().abort();

    assertThat(disconnects.next().request().getConnectionId()).isEqualTo(id);
    await().atMost(TestApp.WAIT).until(() -> runtime.connectionCount("chat") == 0);
  }

  @Test
  void disconnectComesAfterTheMessageInFlight() throws Exception {
    acceptConnects();
    EventStream messages = app.register("chat", WebsocketEventType.Message, Mode.MANUAL);
    EventStream disconnects = app.register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");
    client.send("last words");
    Event message = messages.next();
    String id = message.request().getConnectionId();

    app.websocket().closeConnection(close(id));
    assertThat(client.awaitClose()).isEqualTo(1000);
    assertThat(runtime.connectionCount("chat")).isZero();
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(disconnects.events::isEmpty);
    messages.answer(message.id(), false);

    assertThat(disconnects.next().request().getConnectionId()).isEqualTo(id);
  }

  @Test
  void clientDroppedWhileAMessageIsInFlightIsDisconnectedAfterTheAnswer() throws Exception {
    acceptConnects();
    EventStream messages = app.register("chat", WebsocketEventType.Message, Mode.MANUAL);
    EventStream disconnects = app.register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");
    client.send("last words");
    Event message = messages.next();

    // the socket is not read while the app holds a message, so the drop is seen after the answer
    client.socket().abort();
    messages.answer(message.id(), false);

    assertThat(disconnects.next().request().getConnectionId()).isEqualTo(message.request().getConnectionId());
    await().atMost(TestApp.WAIT).until(() -> runtime.connectionCount("chat") == 0);
  }

  @Test
  void messageOverTheLimitInOneFrameClosesTheClientWith1009() throws Exception {
    acceptConnects();
    EventStream disconnects = app.register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");

    client.socket().sendText("x".repeat(MAX_MESSAGE + 1), true);

    assertThat(client.awaitClose()).isEqualTo(1009);
    disconnects.next();
  }

  @Test
  void fragmentedMessageOverTheLimitClosesTheClientWith1009() {
    acceptConnects();
    WsClient client = WsClient.open(port, "/");

    client.socket().sendText("x".repeat(MAX_MESSAGE / 2 + 10), false).join();
    client.socket().sendText("y".repeat(MAX_MESSAGE / 2 + 10), true);

    assertThat(client.awaitClose()).isEqualTo(1009);
  }

  @Test
  void twoStreamsForTheSameSocketAndEventShareTheEventsRoundRobin() throws Exception {
    acceptConnects();
    EventStream first = app.register("chat", WebsocketEventType.Message, Mode.ACCEPT);
    EventStream second = app.register("chat", WebsocketEventType.Message, Mode.ACCEPT);
    assertThat(runtime.handlerCount("chat", WebsocketEventType.Message)).isEqualTo(2);
    WsClient client = WsClient.open(port, "/");

    for (int i = 0; i < 4; i++) {
      client.send("m" + i);
    }

    await().atMost(TestApp.WAIT).until(() -> first.events.size() + second.events.size() == 4);
    assertThat(first.events).hasSize(2);
    assertThat(second.events).hasSize(2);

    first.complete();
    await().atMost(TestApp.WAIT).until(() -> runtime.handlerCount("chat", WebsocketEventType.Message) == 1);
    client.send("after");
    await().atMost(TestApp.WAIT).until(() -> second.events.size() == 3);
    assertThat(second.events).last()
        .satisfies(e -> assertThat(e.request().getMessage().getBody().toStringUtf8()).isEqualTo("after"));
    assertThat(first.events).hasSize(2);
  }

  @Test
  void eachSocketHasItsOwnPortAndEvents() throws Exception {
    app.declareWebsocket("other");
    int otherPort = runtime.websocketPort("other");
    EventStream otherConnects = app.register("other", WebsocketEventType.Connect, Mode.ACCEPT);
    EventStream chatConnects = app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);

    WsClient.open(otherPort, "/");

    assertThat(otherPort).isNotEqualTo(port);
    assertThat(otherConnects.next().request().getSocketName()).isEqualTo("other");
    assertThat(chatConnects.events).isEmpty();
    assertThat(runtime.websockets()).containsExactly("chat", "other");
  }

  @Test
  void socketDetailsAnswersTheLocalUrl() {
    String url = app.websocket()
        .socketDetails(WebsocketDetailsRequest.newBuilder().setSocketName("chat").build())
        .getUrl();

    assertThat(url).isEqualTo("ws://127.0.0.1:" + port).isEqualTo(runtime.websocketUrl("chat"));
    assertThatThrownBy(() -> app.websocket()
            .socketDetails(WebsocketDetailsRequest.newBuilder().setSocketName("unknown").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void plainHttpWithoutAStaticPageIsABadRequest() throws Exception {
    var response = WsClient.HTTP.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("not a websocket upgrade");
  }

  @Test
  void closingTheRuntimeClosesClientsWithGoingAwayAndCompletesHandlerStreams() throws Exception {
    acceptConnects();
    EventStream disconnects = app.register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");
    await().atMost(TestApp.WAIT).until(() -> runtime.connectionCount("chat") == 1);

    runtime.close();

    assertThat(client.awaitClose()).as("1001 going away").isEqualTo(1001);
    assertThat(disconnects.ended.orTimeout(10, TimeUnit.SECONDS).join().isOk()).isTrue();
  }

  /** Registers a connect handler that accepts everyone: without one, connects are refused. */
  private void acceptConnects() {
    app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
  }

  private static WebsocketSendRequest send(String connectionId, ByteString data) {
    return WebsocketSendRequest.newBuilder().setSocketName("chat").setConnectionId(connectionId).setData(data).build();
  }

  private static WebsocketCloseConnectionRequest close(String connectionId) {
    return WebsocketCloseConnectionRequest.newBuilder().setSocketName("chat").setConnectionId(connectionId).build();
  }

  /** A reject with nitric-ws's status and reason, as its app side answers. */
  private static WebsocketConnectionResponse reject(int status, String reason) {
    return WebsocketConnectionResponse.newBuilder().setReject(true).setRejectStatus(status).setRejectReason(reason).build();
  }

  /** What a raw client gets for an upgrade whose connect the app answers with {@code response}. */
  private String upgradeAnswer(EventStream connects, String path, WebsocketConnectionResponse response) throws Exception {
    CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
      try {
        return RawWebsocket.upgradeAnswer(port, path);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    connects.answer(connects.next().id(), response);
    return answer.get(15, TimeUnit.SECONDS);
  }
}
