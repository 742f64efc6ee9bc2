package dev.nitricws.adapters.nitric.events;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.Headers;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.EventAnswer;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.HeaderValue;
import dev.nitricws.proto.websockets.v1.QueryValue;
import dev.nitricws.proto.websockets.v1.RegistrationRequest;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Between the HandleEvents wire messages and the domain's socket events. */
final class EventMapping {

  private static final ClientMessage ACCEPT_TEMPLATE = message("", WebsocketConnectionResponse.getDefaultInstance());

  private EventMapping() {}

  /** The first message of a stream: which socket and event type it serves. */
  static ClientMessage registration(SocketName socket, WebsocketEventType type) {
    return ClientMessage.newBuilder()
        .setRegistrationRequest(RegistrationRequest.newBuilder()
            .setSocketName(socket.value())
            .setEventType(type))
        .build();
  }

  /**
   * The domain event of a request; it shares {@code streamSocket} (null: none), the socket of the
   * stream the request came on, when the request names it, so a connection's entry in the store
   * holds no socket name of its own.
   *
   * @throws IllegalArgumentException when the socket name or connection id fail the domain's
   *     rules or the request carries no event
   */
  static SocketEvent toEvent(WebsocketEventRequest request, SocketName streamSocket) {
    SocketName socket = streamSocket != null && streamSocket.value().equals(request.getSocketName())
        ? streamSocket : SocketName.of(request.getSocketName());
    ConnectionId id = ConnectionId.of(request.getConnectionId());
    return switch (request.getWebsocketEventCase()) {
      case CONNECTION -> new SocketEvent.Connect(socket, id, query(request.getConnection().getQueryParamsMap()),
          headers(request.getConnection().getHeadersMap()));
      case DISCONNECTION -> new SocketEvent.Disconnect(socket, id);
      case MESSAGE -> new SocketEvent.Message(socket, id, request.getMessage().getBody().toByteArray());
      case WEBSOCKETEVENT_NOT_SET -> throw new IllegalArgumentException(
          "the event request has no event (connection, disconnection or message)");
    };
  }

  /**
   * Whether a request is a connect, whose answer may reject: by its content, or, when it has
   * none, by the event type of the stream it came on.
   */
  static boolean isConnect(WebsocketEventRequest request, WebsocketEventType streamType) {
    return switch (request.getWebsocketEventCase()) {
      case CONNECTION -> true;
      case DISCONNECTION, MESSAGE -> false;
      case WEBSOCKETEVENT_NOT_SET -> streamType == WebsocketEventType.Connect;
    };
  }

  /**
   * The answer to request {@code id}: a connection response, rejecting only a refused connect. A
   * reject also carries its status and reason in the extension fields {@code reject_status} and
   * {@code reject_reason}, which nitric-ws's local runtime reports to the client and Nitric's
   * runtimes skip.
   */
  static ClientMessage answer(String id, EventAnswer answer, boolean connect) {
    if (connect && answer instanceof EventAnswer.Reject reject) {
      return message(id, WebsocketConnectionResponse.newBuilder()
          .setReject(true)
          .setRejectStatus(reject.status())
          .setRejectReason(reject.reason())
          .build());
    }
    return id.isEmpty() ? ACCEPT_TEMPLATE : message(id, WebsocketConnectionResponse.getDefaultInstance());
  }

  private static ClientMessage message(String id, WebsocketConnectionResponse response) {
    return ClientMessage.newBuilder()
        .setId(id)
        .setWebsocketEventResponse(WebsocketEventResponse.newBuilder().setConnectionResponse(response))
        .build();
  }

  /** The headers extension (nitric-ws's local runtime fills it; Nitric's runtimes leave it empty). */
  private static Headers headers(Map<String, HeaderValue> headers) {
    if (headers.isEmpty()) {
      return Headers.empty();
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    headers.forEach((name, value) -> values.put(name, value.getValueList()));
    return Headers.of(values);
  }

  private static QueryParameters query(Map<String, QueryValue> params) {
    if (params.isEmpty()) {
      return QueryParameters.empty();
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    params.forEach((name, value) -> values.put(name, value.getValueList().stream().map(UriComponent::decode).toList()));
    return new QueryParameters(values);
  }
}
