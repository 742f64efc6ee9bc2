package dev.nitricws.adapters.nitric.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.domain.SocketEvent;
import dev.nitricws.proto.websockets.v1.HeaderValue;
import dev.nitricws.proto.websockets.v1.QueryValue;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionEvent;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import org.junit.jupiter.api.Test;

class EventMappingTest {

  @Test
  void theHeadersOfAConnectReachTheDomainEventWithLowerCaseNames() {
    WebsocketEventRequest request = WebsocketEventRequest.newBuilder()
        .setSocketName("chat").setConnectionId("c1")
        .setConnection(WebsocketConnectionEvent.newBuilder()
            .putQueryParams("token", QueryValue.newBuilder().addValue("t0k3n").build())
            .putHeaders("Origin", HeaderValue.newBuilder().addValue("https://chat.example").build()))
        .build();

    SocketEvent.Connect connect = (SocketEvent.Connect) EventMapping.toEvent(request);

    assertThat(connect.headers().names()).containsExactly("origin");
    assertThat(connect.headers().first("origin")).contains("https://chat.example");
    assertThat(connect.query().first("token")).contains("t0k3n");
  }

  @Test
  void aConnectFromARuntimeThatSendsNoHeadersHasNone() {
    WebsocketEventRequest request = WebsocketEventRequest.newBuilder()
        .setSocketName("chat").setConnectionId("c1")
        .setConnection(WebsocketConnectionEvent.getDefaultInstance())
        .build();

    assertThat(((SocketEvent.Connect) EventMapping.toEvent(request)).headers().isEmpty()).isTrue();
  }
}
