package dev.nitricws.runtime.gateway;

import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.runtime.gateway.UpgradeRequests.Refusal;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The HTTP answer to a connect the application rejected. An app that sets the nitric-ws extension
 * field {@code reject_status} (400 to 599) gets that status, with {@code reject_reason} as the
 * body: cut to {@value #MAX_REASON_LENGTH} characters and with control characters escaped, so
 * nothing unbounded or multi-line is reflected to the client; an empty reason becomes the status's
 * reason phrase. Any other app (an official Nitric SDK sends no status), or a status outside 400
 * to 599, gets {@link #DEFAULT}, the reference runtime's 500 "Connection Refused".
 */
final class AppRejection {

  /** The longest reason the gateway answers, in characters (the app side allows as many). */
  static final int MAX_REASON_LENGTH = 256;

  /** The answer to a reject without a usable status, as the reference runtime answers every reject. */
  static final Refusal DEFAULT = new Refusal(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Connection Refused");

  private AppRejection() {}

  /** The answer to {@code response}, a reject. */
  static Refusal of(WebsocketConnectionResponse response) {
    int status = response.getRejectStatus();
    if (!usable(status)) {
      return DEFAULT;
    }
    HttpResponseStatus answer = HttpResponseStatus.valueOf(status);
    String reason = response.getRejectReason();
    return new Refusal(answer, reason.isEmpty() ? answer.reasonPhrase() : text(reason));
  }

  /** Whether the app gave a status the gateway answers with: 400 to 599. */
  static boolean usable(int status) {
    return status >= 400 && status <= 599;
  }

  /**
   * {@code reason} cut to {@value #MAX_REASON_LENGTH} characters (never between the halves of a
   * surrogate pair) with control characters and line separators as {@code \\uXXXX}.
   */
  static String text(String reason) {
    int end = Math.min(reason.length(), MAX_REASON_LENGTH);
    if (end < reason.length() && Character.isHighSurrogate(reason.charAt(end - 1))) {
      end--;
    }
    StringBuilder out = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      char c = reason.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
