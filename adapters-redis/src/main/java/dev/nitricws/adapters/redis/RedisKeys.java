package dev.nitricws.adapters.redis;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SocketName;

/**
 * The names of the registry's keys. A socket's own keys share the hash tag {@code {<socket>}},
 * and so does the record of each connection's groups; each group's members have a hash tag of
 * their own, {@code {<socket>/<group key>}}, so a big group lives in one slot of its own rather
 * than on its socket's. Group keys are escaped in the tag ({@code %} as {@code %25}, {@code }} as
 * {@code %7D}) so that no name can end the tag early and two names never share a key. Stateless
 * and thread-safe.
 */
final class RedisKeys {

  private final String prefix;

  RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  /** The keys of {@code socket}: expiry ZSET, id ZSET, data HASH, all in the slot of the socket. */
  String[] socket(SocketName socket) {
    String base = prefix + "{" + socket.value() + "}:";
    return new String[] {base + "exp", base + "ids", base + "data"};
  }

  /**
   * The ZSET of the groups {@code id} has joined on {@code socket} (group key to the expiry of the
   * entry it joined under), in the slot of the socket. The id follows the hash tag, so no character
   * of it changes the slot.
   */
  String groupsOf(SocketName socket, ConnectionId id) {
    return prefix + "{" + socket.value() + "}:groups:" + id.value();
  }

  /**
   * The keys of one group's members on {@code socket}: expiry ZSET and id ZSET, as a socket's, in
   * the slot of the group. {@code groupKey} is a {@link dev.nitricws.domain.GroupName#key()}, or
   * such a key as read back from Redis.
   */
  String[] group(SocketName socket, String groupKey) {
    String base = prefix + "{" + socket.value() + "/" + escape(groupKey) + "}:";
    return new String[] {base + "exp", base + "ids"};
  }

  /** {@code text} with {@code %} and {@code }} percent-encoded; one-to-one. */
  static String escape(String text) {
    if (text.indexOf('%') < 0 && text.indexOf('}') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '%' -> out.append("%25");
        case '}' -> out.append("%7D");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
