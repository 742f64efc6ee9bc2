package dev.nitricws.adapters.nitric.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.domain.SocketEvent;
import dev.nitricws.ports.EventAnswer;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.HeaderValue;
import dev.nitricws.proto.websockets.v1.QueryValue;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionEvent;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
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

    SocketEvent.Connect connect = (SocketEvent.Connect) EventMapping.toEvent(request, null);

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

    assertThat(((SocketEvent.Connect) EventMapping.toEvent(request, null)).headers().isEmpty()).isTrue();
  }

  @Test
  void aRejectedConnectIsAnsweredWithItsStatusAndReason() {
    ClientMessage answer = EventMapping.answer("7", new EventAnswer.Reject(429, "too many connections"), true);

    assertThat(answer.getId()).isEqualTo("7");
    assertThat(answer.getWebsocketEventResponse().getConnectionResponse()).isEqualTo(
        WebsocketConnectionResponse.newBuilder().setReject(true).setRejectStatus(429).setRejectReason("too many connections").build());
    assertThat(EventMapping.answer("8", EventAnswer.FAILED, true).getWebsocketEventResponse().getConnectionResponse())
        .isEqualTo(WebsocketConnectionResponse.newBuilder().setReject(true).setRejectStatus(500)
            .setRejectReason("Connection Refused").build());
  }

  @Test
  void anAcceptAndTheAnswersToOtherEventsCarryNoRejectNorStatus() {
    assertThat(EventMapping.answer("1", EventAnswer.ACCEPT, true).getWebsocketEventResponse().getConnectionResponse())
        .isEqualTo(WebsocketConnectionResponse.getDefaultInstance());
    assertThat(EventMapping.answer("2", new EventAnswer.Reject(403, "no"), false).getWebsocketEventResponse()
        .getConnectionResponse()).isEqualTo(WebsocketConnectionResponse.getDefaultInstance());
    assertThat(EventMapping.answer("", EventAnswer.ACCEPT, false).getId()).isEmpty();
  }
}
