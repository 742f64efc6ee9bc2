package dev.nitricws.ports;

import dev.nitricws.domain.SocketEvent;

/**
 * What may go into a log line: events named by kind, connection and socket only (queries,
 * headers and payloads may hold credentials), and text from user code or clients with its line
 * breaks and other control characters escaped, so it cannot start a line of its own.
 */
final class LogText {

  private static final int MAX = 300;

  private LogText() {}

  /** e.g. {@code connect of connection c1 on socket 'chat'}. */
  static String describe(SocketEvent event) {
    String kind = event instanceof SocketEvent.Connect ? "connect"
        : event instanceof SocketEvent.Disconnect ? "disconnect" : "message";
    return kind + " of connection " + event.connectionId() + " on socket '" + event.socket() + "'";
  }

  /** {@code text} cut to 300 characters, with control and line-separator characters as {@code \\uXXXX}. */
  static String escape(String text) {
    if (text == null) {
      return "null";
    }
    String cut = text.length() > MAX ? text.substring(0, MAX) + "..." : text;
    StringBuilder out = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** An exception as {@code Class: message}, escaped. */
  static String escape(Throwable error) {
    return escape(String.valueOf(error));
  }
}
