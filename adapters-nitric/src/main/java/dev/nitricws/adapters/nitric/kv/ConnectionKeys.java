package dev.nitricws.adapters.nitric.kv;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.SocketName;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The keys a connection has in a Nitric key-value store, built only from characters every Nitric
 * provider accepts in a key ({@code [A-Za-z0-9._-]}):
 *
 * <ul>
 *   <li>entry {@code <socket>.e.<escaped id>}: the connection itself;
 *   <li>member {@code <socket>.m.<escaped id>.<expiresAt epoch millis>}: what a scan reads.
 * </ul>
 *
 * <p>The escaped id keeps {@code A-Z a-z 0-9 -} and writes every other character as {@code _}
 * followed by two upper-case hex digits per UTF-8 byte ({@code _} is {@code _5F}, {@code .} is
 * {@code _2E}). Neither socket names (the domain allows no {@code .} in them) nor escaped ids
 * hold {@code .}, so {@code .} separates the fields, {@code <socket>.m.} is a prefix that matches
 * exactly one socket's member keys, and {@code <socket>.m.<escaped id>.} exactly one id's.
 */
final class ConnectionKeys {

  /** The longest key written: Azure Table's RowKey limit, the tightest of the providers. */
  static final int MAX_KEY_LENGTH = 1_024;

  private static final String ENTRY = ".e.";
  private static final String MEMBER = ".m.";
  private static final char ESCAPE = '_';
  private static final char SEPARATOR = '.';
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final int PREVIEW = 40;

  private ConnectionKeys() {}

  /** One member key read back: the connection id, its escaped form and when it expires. */
  record Member(ConnectionId id, String escapedId, Instant expiresAt) {}

  /** The key holding the connection {@code id} of {@code socket}. */
  static String entryKey(SocketName socket, ConnectionId id) {
    return socket.value() + ENTRY + escape(id.value());
  }

  /** The key a scan of {@code socket} finds {@code id} by, for an entry expiring at {@code expiresAt}. */
  static String memberKey(SocketName socket, ConnectionId id, Instant expiresAt) {
    return memberPrefix(socket) + escape(id.value()) + SEPARATOR + expiresAt.toEpochMilli();
  }

  /** The prefix of every member key of {@code socket}, and of no other key. */
  static String memberPrefix(SocketName socket) {
    return socket.value() + MEMBER;
  }

  /**
   * Refuses {@code key} when it is longer than {@value #MAX_KEY_LENGTH} bytes (keys are ASCII, so
   * one byte per character).
   *
   * @throws IllegalArgumentException naming the id, the key's length and the limit
   */
  static String requireShortEnough(String key, ConnectionId id) {
    if (key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException("connection id '" + preview(id.value()) + "' (" + id.value().length()
          + " characters) makes a key of " + key.length() + " bytes; Nitric key-value stores take keys of at most "
          + MAX_KEY_LENGTH + " bytes (Azure Table's RowKey limit)");
    }
    return key;
  }

  /**
   * The connection a member key of the socket whose member prefix is {@code prefix} names.
   *
   * @throws IllegalArgumentException when {@code key} is not a member key this class writes
   */
  static Member parseMember(String prefix, String key) {
    if (!key.startsWith(prefix)) {
      throw new IllegalArgumentException("it does not start with '" + prefix + "'");
    }
    int dot = key.indexOf(SEPARATOR, prefix.length());
    if (dot < 0 || key.indexOf(SEPARATOR, dot + 1) >= 0) {
      throw new IllegalArgumentException("it is not <prefix><escaped id>.<epoch millis>");
    }
    String escaped = key.substring(prefix.length(), dot);
    String millisText = key.substring(dot + 1);
    long millis;
    try {
      millis = Long.parseLong(millisText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + millisText + "' is not a number of epoch milliseconds", e);
    }
    if (!Long.toString(millis).equals(millisText)) {
      throw new IllegalArgumentException("'" + millisText + "' is not written as this registry writes times");
    }
    return new Member(ConnectionId.of(unescape(escaped)), escaped, Instant.ofEpochMilli(millis));
  }

  /** {@code id} with every character but {@code A-Z a-z 0-9 -} as {@code _XX} per UTF-8 byte. */
  static String escape(String id) {
    requireNonNull(id, "id");
    StringBuilder out = null;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (plain(c)) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(id.length() * 3).append(id, 0, i);
      }
      int codePoint = id.codePointAt(i);
      int chars = Character.charCount(codePoint);
      for (byte b : id.substring(i, i + chars).getBytes(StandardCharsets.UTF_8)) {
        out.append(ESCAPE).append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
      }
      i += chars - 1;
    }
    return out == null ? id : out.toString();
  }

  /**
   * The id {@link #escape} turned into {@code escaped}; accepts only what {@code escape} writes, so
   * that every id has exactly one key.
   *
   * @throws IllegalArgumentException when {@code escaped} is not the escaped form of a text
   */
  static String unescape(String escaped) {
    ByteBuffer bytes = ByteBuffer.allocate(escaped.length());
    for (int i = 0; i < escaped.length(); i++) {
      char c = escaped.charAt(i);
      if (plain(c)) {
        bytes.put((byte) c);
      } else if (c == ESCAPE && i + 2 < escaped.length() && hex(escaped.charAt(i + 1)) >= 0
          && hex(escaped.charAt(i + 2)) >= 0) {
        bytes.put((byte) (hex(escaped.charAt(i + 1)) << 4 | hex(escaped.charAt(i + 2))));
        i += 2;
      } else {
        throw new IllegalArgumentException("'" + preview(escaped) + "' has " + describe(c) + " at index " + i
            + " where a letter, digit, '-' or _XX was expected");
      }
    }
    bytes.flip();
    String id;
    try {
      id = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("'" + preview(escaped) + "' does not escape valid UTF-8", e);
    }
    if (!escape(id).equals(escaped)) {
      throw new IllegalArgumentException("'" + preview(escaped) + "' is not escaped the one way this registry escapes");
    }
    return id;
  }

  private static boolean plain(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static String describe(char c) {
    return (Character.isISOControl(c) ? "" : "'" + c + "' ") + String.format("(U+%04X)", (int) c);
  }

  /** {@code value} cut to a readable length, control characters as escapes. */
  static String preview(String value) {
    return LogText.escape(value, PREVIEW);
  }

}
