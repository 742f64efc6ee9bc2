package dev.nitricws.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.gateway.WebsocketGateway;
import dev.nitricws.runtime.handlers.EventDispatcher;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The websocket gateway run alone, with an event dispatcher of the embedder's own and no gRPC or
 * app: built from a builder's {@link LocalRuntimeBuilder#gatewaySettings()}, sending with
 * {@link WebsocketGateway#send} (outside its package, as the fan-out benchmark's floor does).
 */
class GatewayAloneTest {

  private final Set<String> open = ConcurrentHashMap.newKeySet();
  private WebsocketGateway gateway;

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
  }

  /** Accepts every connect and sends each message to every connection it was told of. */
  private final EventDispatcher everyoneGetsEachMessage = (type, event) -> {
    if (type == WebsocketEventType.Connect) {
      open.add(event.getConnectionId());
      return answer(WebsocketEventResponse.newBuilder()
          .setConnectionResponse(WebsocketConnectionResponse.getDefaultInstance()));
    }
    if (type == WebsocketEventType.Disconnect) {
      open.remove(event.getConnectionId());
      return answer(WebsocketEventResponse.newBuilder());
    }
    return CompletableFuture.allOf(open.stream()
            .map(id -> gateway.send(event.getSocketName(), id, event.getMessage().getBody()))
            .toArray(CompletableFuture[]::new))
        .thenApply(sent -> Optional.of(WebsocketEventResponse.getDefaultInstance()));
  };

  private static CompletableFuture<Optional<WebsocketEventResponse>> answer(WebsocketEventResponse.Builder response) {
    return CompletableFuture.completedFuture(Optional.of(response.build()));
  }

  private int startAlone() throws Exception {
    gateway = new WebsocketGateway(LocalRuntime.builder().firstWebsocketPort(0).gatewaySettings(), everyoneGetsEachMessage);
    return gateway.declare("chat").get(10, TimeUnit.SECONDS).port();
  }

  @Test
  void anEmbeddersDispatcherSendsThroughTheGatewayToEveryClient() throws Exception {
    int port = startAlone();
    try (WsClient ada = WsClient.open(port, "/"); WsClient bob = WsClient.open(port, "/")) {
      ada.send("hello everyone");

      assertThat(ada.nextText()).isEqualTo("hello everyone");
      assertThat(bob.nextText()).isEqualTo("hello everyone");
    }
  }

  @Test
  void aSendToAConnectionTheGatewayDoesNotHoldFailsNamingIt() throws Exception {
    startAlone();

    assertThatThrownBy(() -> gateway.send("chat", "no-such-connection", ByteString.copyFromUtf8("x")).join())
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("no-such-connection");
  }
}
