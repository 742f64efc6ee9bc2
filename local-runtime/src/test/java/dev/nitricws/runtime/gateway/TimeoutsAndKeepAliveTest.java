package dev.nitricws.runtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntimeBuilder;
import dev.nitricws.runtime.RuntimeAndApp;
import dev.nitricws.runtime.TestApp;
import dev.nitricws.runtime.TestApp.Event;
import dev.nitricws.runtime.TestApp.EventStream;
import dev.nitricws.runtime.TestApp.Mode;
import dev.nitricws.runtime.WsClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Handler timeout, idle timeout and keep-alive pings, each with short settings. */
class TimeoutsAndKeepAliveTest {

  @RegisterExtension
  final RuntimeAndApp local = new RuntimeAndApp();
  private TestApp app;

  private int start(Consumer<LocalRuntimeBuilder> settings) {
    local.start(settings);
    app = local.app();
    app.declareWebsocket("chat");
    return local.runtime().websocketPort("chat");
  }

  @Test
  void connectNotAnsweredWithinTheHandlerTimeoutIsRefused() throws Exception {
    int port = start(settings -> settings.handlerTimeout(Duration.ofMillis(300)));
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.MANUAL);

    var client = WsClient.connect(port, "/");
    Event connect = connects.next();

    assertThatThrownBy(() -> client.orTimeout(10, TimeUnit.SECONDS).join())
        .cause()
        .isInstanceOfSatisfying(WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(500));
    // a late answer is only logged; the stream stays usable
    connects.answer(connect.id(), false);
    assertThat(connects.ended).isNotDone();
  }

  @Test
  void messageNotAnsweredInTimeLetsTheNextOneThrough() throws Exception {
    int port = start(settings -> settings.handlerTimeout(Duration.ofMillis(300)));
    app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    EventStream messages = app.register("chat", WebsocketEventType.Message, Mode.MANUAL);
    WsClient client = WsClient.open(port, "/");

    client.send("never answered");
    client.send("second");

    assertThat(messages.next().request().getMessage().getBody().toStringUtf8()).isEqualTo("never answered");
    assertThat(messages.next().request().getMessage().getBody().toStringUtf8()).isEqualTo("second");
  }

  @Test
  void idleConnectionIsClosedWithGoingAwayAndDisconnected() throws Exception {
    int port = start(settings -> settings.idleTimeout(Duration.ofMillis(400)).pingInterval(Duration.ZERO));
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    EventStream disconnects = app.register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");
    String id = connects.next().request().getConnectionId();

    assertThat(client.awaitClose()).isEqualTo(1001);
    assertThat(disconnects.next().request().getConnectionId()).isEqualTo(id);
  }

  @Test
  void aClientThatOnlyPingsIsStillClosedForBeingIdle() throws Exception {
    int port = start(settings -> settings.idleTimeout(Duration.ofMillis(400)).pingInterval(Duration.ZERO));
    app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");

    // pings and pongs are control frames: they keep proxies from dropping a connection, not the connection open
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!client.closed().isDone()) {
        client.socket().sendPing(ByteBuffer.wrap(new byte[] {1})).join();
      }
      return client.closed().isDone();
    });
    assertThat(client.awaitClose()).isEqualTo(1001);
  }

  @Test
  void messagesKeepAConnectionOpenPastTheIdleTimeoutAndItIsPingedWhileQuiet() throws Exception {
    int port = start(settings -> settings.idleTimeout(Duration.ofMillis(600)).pingInterval(Duration.ofMillis(200)));
    app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    app.register("chat", WebsocketEventType.Message, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");

    await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(150))
        .until(() -> {
          client.send("still here");
          return !client.closed().isDone();
        });
    client.pinged().orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(client.awaitClose()).isEqualTo(1001);
  }

  @Test
  void pingsAreSentToQuietClients() {
    int port = start(settings -> settings.pingInterval(Duration.ofMillis(100)));
    app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    WsClient client = WsClient.open(port, "/");

    client.pinged().orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(client.closed()).isNotDone();
  }
}
