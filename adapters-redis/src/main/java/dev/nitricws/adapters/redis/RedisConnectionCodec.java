package dev.nitricws.adapters.redis;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value kept for one connection in the data hash: its times, attributes and query parameters
 * (the socket and id are the key and the field). A small length-prefixed text, so that any
 * character round-trips and nothing needs escaping:
 *
 * <pre>
 * 1;connectedSec;connectedMs;expiresSec;expiresMs;attributeCount;{len:name len:value}
 *   queryKeyCount;{len:key valueCount; {len:value}}
 * </pre>
 *
 * (without the spaces), where {@code len} is the length in UTF-16 units of the text after the
 * colon. Times are epoch seconds plus the millisecond of the second, so every {@link Instant}
 * fits. Stateless and thread-safe.
 */
final class RedisConnectionCodec {

  /** The format version, the first field; a reader refuses any other. */
  static final String VERSION = "1";

  private RedisConnectionCodec() {}

  static String encode(Connection c) {
    StringBuilder out = new StringBuilder(64);
    out.append(VERSION).append(';');
    time(out, c.connectedAt());
    time(out, c.expiresAt());
    out.append(c.attributes().size()).append(';');
    c.attributes().forEach((name, value) -> {
      text(out, name);
      text(out, value);
    });
    Map<String, List<String>> query = c.query().values();
    out.append(query.size()).append(';');
    query.forEach((key, values) -> {
      text(out, key);
      out.append(values.size()).append(';');
      for (String v : values) {
        text(out, v);
      }
    });
    return out.toString();
  }

  /**
   * The connection {@code encoded} describes. Throws {@link IllegalArgumentException} when it is
   * not in this format.
   */
  static Connection decode(SocketName socket, ConnectionId id, String encoded) {
    Reader in = new Reader(encoded);
    String version = in.until(';');
    if (!VERSION.equals(version)) {
      throw new IllegalArgumentException("format version '" + version + "' is not " + VERSION);
    }
    Instant connectedAt = in.time();
    Instant expiresAt = in.time();
    int attributeCount = in.count();
    Map<String, String> attributes = new LinkedHashMap<>();
    for (int i = 0; i < attributeCount; i++) {
      attributes.put(in.text(), in.text());
    }
    int keyCount = in.count();
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (int i = 0; i < keyCount; i++) {
      String key = in.text();
      int valueCount = in.count();
      List<String> values = new ArrayList<>(valueCount);
      for (int j = 0; j < valueCount; j++) {
        values.add(in.text());
      }
      query.put(key, values);
    }
    in.end();
    return new Connection(socket, id, attributes, new QueryParameters(query), connectedAt, expiresAt);
  }

  /** {@code instant} in epoch milliseconds, saturated at the ends of {@code long}: a ZSET score. */
  static long millis(Instant instant) {
    try {
      return instant.toEpochMilli();
    } catch (ArithmeticException e) {
      return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static void time(StringBuilder out, Instant t) {
    out.append(t.getEpochSecond()).append(';').append(t.getNano() / 1_000_000).append(';');
  }

  private static void text(StringBuilder out, String s) {
    out.append(s.length()).append(':').append(s);
  }

  /** Reads the fields in order; throws {@link IllegalArgumentException} at the first mismatch. */
  private static final class Reader {
    private final String s;
    private int pos;

    Reader(String s) {
      this.s = s;
    }

    String until(char end) {
      int at = s.indexOf(end, pos);
      if (at < 0) {
        throw new IllegalArgumentException("expected '" + end + "' after index " + pos);
      }
      String field = s.substring(pos, at);
      pos = at + 1;
      return field;
    }

    long number(char end) {
      String field = until(end);
      try {
        return Long.parseLong(field);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected a number at index " + (pos - field.length() - 1), e);
      }
    }

    int count() {
      long n = number(';');
      if (n < 0 || n > s.length()) {
        throw new IllegalArgumentException("count " + n + " at index " + pos + " is out of range");
      }
      return (int) n;
    }

    Instant time() {
      long seconds = number(';');
      long millis = number(';');
      if (millis < 0 || millis > 999) {
        throw new IllegalArgumentException("millisecond " + millis + " is out of range");
      }
      return Instant.ofEpochSecond(seconds, millis * 1_000_000);
    }

    String text() {
      long length = number(':');
      if (length < 0 || length > s.length() - pos) {
        throw new IllegalArgumentException("text of length " + length + " at index " + pos + " overruns the value");
      }
      String text = s.substring(pos, pos + (int) length);
      pos += (int) length;
      return text;
    }

    void end() {
      if (pos != s.length()) {
        throw new IllegalArgumentException((s.length() - pos) + " characters left over at index " + pos);
      }
    }
  }
}
