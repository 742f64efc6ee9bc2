package dev.nitricws.adapters.nitric.kv;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.SocketName;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The keys a connection and its group memberships have in a Nitric key-value store, built only
 * from characters every Nitric provider accepts in a key ({@code [A-Za-z0-9._-]}):
 *
 * <ul>
 *   <li>entry {@code <socket>.e.<escaped id>}: the connection itself;
 *   <li>member {@code <socket>.m.<escaped id>.<expiresAt epoch millis>}: what a scan reads;
 *   <li>group member {@code <socket>.g.<group>.<escaped id>.<expiresAt>}: what a member scan of
 *       the group reads, {@code expiresAt} being that of the entry the connection joined under;
 *   <li>joined {@code <socket>.j.<escaped id>.<group>.<expiresAt>}: the same membership seen from
 *       the connection, what {@code groupsOf}, {@code leave} and {@code unregister} read;
 *   <li>groups flag {@code <socket>.f.<escaped id>}: the connection has (or had) joined keys, so
 *       an unregister of a connection without it needs no scan.
 * </ul>
 *
 * <p>The escaped id keeps {@code A-Z a-z 0-9 -} and writes every other character as {@code _}
 * followed by two upper-case hex digits per UTF-8 byte ({@code _} is {@code _5F}, {@code .} is
 * {@code _2E}). A group is {@code g-<escaped name>} or {@code u-<escaped user id>} when that has
 * at most {@value #MAX_GROUP_PART} characters, else {@code h-} and the SHA-256 of its {@link
 * GroupName#key()} in 64 lower-case hex digits (the joined key's value then holds the name).
 * Neither socket names (the domain allows no {@code .} in them) nor escaped ids nor groups hold
 * {@code .}, so {@code .} separates the fields, {@code <socket>.m.} is a prefix that matches
 * exactly one socket's member keys, {@code <socket>.m.<escaped id>.} exactly one id's, {@code
 * <socket>.g.<group>.} exactly one group's members and {@code <socket>.j.<escaped id>.} exactly
 * one connection's joined keys.
 */
final class ConnectionKeys {

  /** The longest key written: Azure Table's RowKey limit, the tightest of the providers. */
  static final int MAX_KEY_LENGTH = 1_024;

  /** The longest group written as its escaped name; longer ones are hashed, which takes as many characters. */
  static final int MAX_GROUP_PART = 66;

  private static final String ENTRY = ".e.";
  private static final String MEMBER = ".m.";
  private static final String GROUP_MEMBER = ".g.";
  private static final String JOINED = ".j.";
  private static final String GROUPS_FLAG = ".f.";
  private static final String NAMED = "g-";
  private static final String USER = "u-";
  private static final String HASHED = "h-";
  private static final int HASH_DIGITS = 64;
  private static final char ESCAPE = '_';
  private static final char SEPARATOR = '.';
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final int PREVIEW = 40;

  private ConnectionKeys() {}

  /** One member key read back: the connection id, its escaped form and when it expires. */
  record Member(ConnectionId id, String escapedId, Instant expiresAt) {}

  /**
   * One joined key read back: the group as keys write it, the group itself unless it is hashed
   * (then the key's value names it), and when the membership expires.
   */
  record Joined(String groupPart, Optional<GroupName> group, Instant expiresAt) {}

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

  /** {@code group} as keys write it: {@code g-<escaped name>}, {@code u-<escaped user id>}, or {@code h-<sha-256>}. */
  static String groupPart(GroupName group) {
    String plain = (group.isUser() ? USER : NAMED) + escape(group.name());
    if (plain.length() <= MAX_GROUP_PART) {
      return plain;
    }
    return HASHED + HexFormat.of().formatHex(sha256(group.key()));
  }

  /** The prefix of the member keys of the group written {@code groupPart} on {@code socket}, and of no other key. */
  static String groupMemberPrefix(SocketName socket, String groupPart) {
    return socket.value() + GROUP_MEMBER + groupPart + SEPARATOR;
  }

  /** The key a member scan of the group finds {@code id} by, joined under an entry expiring at {@code expiresAt}. */
  static String groupMemberKey(SocketName socket, String groupPart, ConnectionId id, Instant expiresAt) {
    return groupMemberPrefix(socket, groupPart) + escape(id.value()) + SEPARATOR + expiresAt.toEpochMilli();
  }

  /** The prefix of every joined key of {@code id} on {@code socket}, and of no other key. */
  static String joinedPrefix(SocketName socket, ConnectionId id) {
    return socket.value() + JOINED + escape(id.value()) + SEPARATOR;
  }

  /** The prefix of the joined keys of {@code id} in one group, and of no other key. */
  static String joinedGroupPrefix(SocketName socket, ConnectionId id, String groupPart) {
    return joinedPrefix(socket, id) + groupPart + SEPARATOR;
  }

  /** The key that says {@code id} joined the group under an entry expiring at {@code expiresAt}. */
  static String joinedKey(SocketName socket, ConnectionId id, String groupPart, Instant expiresAt) {
    return joinedGroupPrefix(socket, id, groupPart) + expiresAt.toEpochMilli();
  }

  /** The key that says {@code id} may have joined keys (no longer than its entry key). */
  static String groupsFlagKey(SocketName socket, ConnectionId id) {
    return socket.value() + GROUPS_FLAG + escape(id.value());
  }

  /**
   * The membership a joined key of the connection whose joined prefix is {@code prefix} names.
   *
   * @throws IllegalArgumentException when {@code key} is not a joined key this class writes
   */
  static Joined parseJoined(String prefix, String key) {
    if (!key.startsWith(prefix)) {
      throw new IllegalArgumentException("it does not start with '" + prefix + "'");
    }
    int dot = key.indexOf(SEPARATOR, prefix.length());
    if (dot < 0 || key.indexOf(SEPARATOR, dot + 1) >= 0) {
      throw new IllegalArgumentException("it is not <prefix><group>.<epoch millis>");
    }
    String part = key.substring(prefix.length(), dot);
    return new Joined(part, parseGroupPart(part), parseMillis(key.substring(dot + 1)));
  }

  /**
   * The group {@link #groupPart} wrote as {@code part}; empty for a hashed one.
   *
   * @throws IllegalArgumentException when {@code part} is not written the one way this class writes groups
   */
  static Optional<GroupName> parseGroupPart(String part) {
    if (part.startsWith(HASHED)) {
      String digits = part.substring(HASHED.length());
      if (digits.length() != HASH_DIGITS || !digits.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException("'" + preview(part) + "' is not h- and " + HASH_DIGITS + " lower-case hex digits");
      }
      return Optional.empty();
    }
    GroupName group;
    if (part.startsWith(NAMED)) {
      group = GroupName.of(unescape(part.substring(NAMED.length())));
    } else if (part.startsWith(USER)) {
      group = GroupName.user(unescape(part.substring(USER.length())));
    } else {
      throw new IllegalArgumentException("'" + preview(part) + "' starts with none of " + NAMED + ", " + USER + ", " + HASHED);
    }
    if (!groupPart(group).equals(part)) {
      throw new IllegalArgumentException("'" + preview(part) + "' is too long to be written unhashed");
    }
    return Optional.of(group);
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
   * The connection a member key names, of the socket (or group) whose member prefix is {@code prefix}.
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
    return new Member(ConnectionId.of(unescape(escaped)), escaped, parseMillis(key.substring(dot + 1)));
  }

  private static Instant parseMillis(String millisText) {
    long millis;
    try {
      millis = Long.parseLong(millisText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + millisText + "' is not a number of epoch milliseconds", e);
    }
    if (!Long.toString(millis).equals(millisText)) {
      throw new IllegalArgumentException("'" + millisText + "' is not written as this registry writes times");
    }
    return Instant.ofEpochMilli(millis);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
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
