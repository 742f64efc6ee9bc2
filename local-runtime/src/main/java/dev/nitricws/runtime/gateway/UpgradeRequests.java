package dev.nitricws.runtime.gateway;

import dev.nitricws.proto.websockets.v1.HeaderValue;
import dev.nitricws.proto.websockets.v1.QueryValue;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Map;

/** What makes a request a valid websocket upgrade, and the Connect event it becomes. Stateless. */
final class UpgradeRequests {

  /** The only websocket version served (RFC 6455); others are answered 426. */
  static final String VERSION = "13";

  /** Why a request is refused: an HTTP status and a short reason for the body and the log. */
  record Refusal(HttpResponseStatus status, String reason) {}

  static final Refusal ORIGIN_NOT_ALLOWED = new Refusal(HttpResponseStatus.FORBIDDEN, "origin not allowed");

  /**
   * The request headers passed on to the app in the Connect event, by lower-case name. Only
   * Origin: never credentials such as Cookie or Authorization.
   */
  static final List<AsciiString> PASSED_HEADERS = List.of(HttpHeaderNames.ORIGIN);

  private UpgradeRequests() {}

  /**
   * Whether the client asks for a websocket at all: {@code Upgrade: websocket} or a websocket
   * key or version header. Other upgrades (an HTTP client's {@code h2c}) are plain requests.
   */
  static boolean asksForWebsocket(HttpRequest request) {
    HttpHeaders headers = request.headers();
    return headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        || headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)
        || headers.contains(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
  }

  /**
   * Checks a request that asks for a websocket: GET, {@code Upgrade: websocket},
   * {@code Connection: upgrade}, a {@code Sec-WebSocket-Key} and version 13.
   *
   * @return null when it is a valid websocket upgrade, else why not
   */
  static Refusal check(HttpRequest request) {
    HttpHeaders headers = request.headers();
    if (!request.method().equals(HttpMethod.GET)) {
      return new Refusal(HttpResponseStatus.BAD_REQUEST, "a websocket upgrade must be a GET");
    }
    if (!headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      return new Refusal(HttpResponseStatus.BAD_REQUEST, "Upgrade header must be websocket");
    }
    if (!headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
      return new Refusal(HttpResponseStatus.BAD_REQUEST, "Connection header must contain upgrade");
    }
    String key = headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    if (key == null || key.isBlank()) {
      return new Refusal(HttpResponseStatus.BAD_REQUEST, "missing Sec-WebSocket-Key");
    }
    if (!VERSION.equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      return new Refusal(HttpResponseStatus.UPGRADE_REQUIRED, "unsupported websocket version");
    }
    return null;
  }

  /**
   * The Connect event's content: every query value, repeated keys kept, and the
   * {@link #PASSED_HEADERS} the request has (in the extension field {@code headers}).
   *
   * @throws IllegalArgumentException when the query is malformed (e.g. {@code %zz})
   */
  static WebsocketConnectionEvent connectionEvent(HttpRequest request) {
    WebsocketConnectionEvent.Builder connection = WebsocketConnectionEvent.newBuilder();
    for (Map.Entry<String, List<String>> param : new QueryStringDecoder(request.uri()).parameters().entrySet()) {
      connection.putQueryParams(param.getKey(), QueryValue.newBuilder().addAllValue(param.getValue()).build());
    }
    for (AsciiString name : PASSED_HEADERS) {
      List<String> values = request.headers().getAll(name);
      if (!values.isEmpty()) {
        connection.putHeaders(name.toString(), HeaderValue.newBuilder().addAllValue(values).build());
      }
    }
    return connection.build();
  }
}
