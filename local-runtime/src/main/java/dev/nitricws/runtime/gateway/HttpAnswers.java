package dev.nitricws.runtime.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** The gateway's plain HTTP answers: one response, then the connection is closed (see {@link Closing}). */
final class HttpAnswers {

  private HttpAnswers() {}

  /**
   * Answers {@code status} with a short plain-text reason and closes the connection; {@code
   * nosniff} keeps a browser from reading the text as anything but text.
   */
  static void text(Channel channel, HttpResponseStatus status, String reason) {
    FullHttpResponse response = response(status, "text/plain; charset=UTF-8", reason.getBytes(UTF_8));
    response.headers().set("x-content-type-options", "nosniff");
    send(channel, response);
  }

  /** Answers 426 with the version this gateway speaks and closes the connection. */
  static void unsupportedVersion(Channel channel, String reason) {
    FullHttpResponse response = response(HttpResponseStatus.UPGRADE_REQUIRED, "text/plain; charset=UTF-8",
        reason.getBytes(UTF_8));
    response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, UpgradeRequests.VERSION);
    send(channel, response);
  }

  /** Answers 200 with {@code body} and closes the connection. */
  static void ok(Channel channel, String contentType, byte[] body) {
    send(channel, response(HttpResponseStatus.OK, contentType, body));
  }

  private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return response;
  }

  private static void send(Channel channel, FullHttpResponse response) {
    Closing.close(channel, response);
  }
}
