package dev.nitricws.adapters.nitric.events;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Query values as the official Nitric SDKs hand them to a connect handler: every value the
 * runtime sends is passed through JavaScript's {@code decodeURIComponent} (node-sdk
 * {@code WebsocketNotificationContext.fromRequest}), whatever the runtime already decoded. This
 * does the same, so that {@code ctx.query()} gives the text the Node SDK gives for the same URL:
 * each run of {@code %XX} escapes that is valid UTF-8 is decoded; {@code +} stays {@code +}. Where
 * {@code decodeURIComponent} would throw (a {@code %} not followed by two hex digits, escapes that
 * are not UTF-8), the text is kept as it is instead of failing the connect.
 */
final class UriComponent {

  private UriComponent() {}

  /** {@code value} decoded as {@code decodeURIComponent} would, leniently. */
  static String decode(String value) {
    int percent = value.indexOf('%');
    if (percent < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    out.append(value, 0, percent);
    int i = percent;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (c != '%' || !escapeAt(value, i)) {
        out.append(c);
        i++;
        continue;
      }
      int start = i;
      ByteBuffer bytes = ByteBuffer.allocate((value.length() - i) / 3 + 1);
      while (i < value.length() && value.charAt(i) == '%' && escapeAt(value, i)) {
        bytes.put((byte) Integer.parseInt(value, i + 1, i + 3, 16));
        i += 3;
      }
      bytes.flip();
      out.append(utf8(bytes, value.substring(start, i)));
    }
    return out.toString();
  }

  private static boolean escapeAt(String value, int i) {
    return i + 2 < value.length() && hex(value.charAt(i + 1)) && hex(value.charAt(i + 2));
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static String utf8(ByteBuffer bytes, String original) {
    try {
      CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes);
      return decoded.toString();
    } catch (CharacterCodingException e) {
      return original;
    }
  }
}
