package dev.nitricws.runtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.RawWebsocket;
import dev.nitricws.runtime.RuntimeAndApp;
import dev.nitricws.runtime.TestApp;
import dev.nitricws.runtime.TestApp.EventStream;
import dev.nitricws.runtime.TestApp.Mode;
import dev.nitricws.runtime.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A socket with no connect handler registered right now accepts nobody, unless told to. */
class FailClosedTest {

  @RegisterExtension
  final RuntimeAndApp local = new RuntimeAndApp();

  @Test
  void connectBeforeAnyConnectHandlerRegistersIsRefusedWith503() throws Exception {
    local.start();
    local.app().declareWebsocket("chat");
    EventStream messages = local.app().register("chat", WebsocketEventType.Message, Mode.ACCEPT);
    int port = local.runtime().websocketPort("chat");

    String response = RawWebsocket.upgradeAnswer(port, "/");

    assertThat(response).startsWith("HTTP/1.1 503").endsWith("\r\n\r\nno handler");
    assertThat(local.runtime().connectionCount("chat")).isZero();
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(messages.events::isEmpty);
  }

  @Test
  void connectWhileTheConnectStreamReconnectsIsRefusedWith503() throws Exception {
    local.start();
    local.app().declareWebsocket("chat");
    EventStream connects = local.app().register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    int port = local.runtime().websocketPort("chat");
    WsClient.open(port, "/");

    connects.complete();
    await().atMost(TestApp.WAIT)
        .until(() -> local.runtime().handlerCount("chat", WebsocketEventType.Connect) == 0);

    assertThat(RawWebsocket.upgradeAnswer(port, "/")).startsWith("HTTP/1.1 503");
    local.app().register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    assertThat(WsClient.open(port, "/").socket()).as("served again once it is back").isNotNull();
  }

  @Test
  void acceptWithoutHandlerKeepsTheReferenceRuntimesFailOpen() {
    local.start(settings -> settings.acceptWithoutHandler(true));
    local.app().declareWebsocket("chat");
    int port = local.runtime().websocketPort("chat");

    WsClient client = WsClient.open(port, "/");

    assertThat(client.socket()).isNotNull();
    await().atMost(TestApp.WAIT).until(() -> local.runtime().connectionCount("chat") == 1);
  }
}
