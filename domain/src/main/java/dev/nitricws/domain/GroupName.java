package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

/**
 * A named set of connections of one socket: a group the application names (a chat room, a
 * topic), or the connections of one user. The two kinds never meet: the group {@code "ada"} and
 * the user {@code "ada"} are different groups.
 *
 * <p>Stores keep a group by its {@link #key()}: {@code g:<name>} for a named group, {@code
 * u:<user id>} for a user's. Names and user ids have 1 to {@value #MAX_LENGTH} characters of any
 * text but U+0000 and unpaired surrogates (what every store can keep); stores escape what their
 * keys cannot hold.
 */
public record GroupName(String key) {

  /** The longest group name or user id accepted. */
  public static final int MAX_LENGTH = 256;

  private static final String GROUP = "g:";
  private static final String USER = "u:";

  public GroupName {
    requireNonNull(key, "key");
    if (!key.startsWith(GROUP) && !key.startsWith(USER)) {
      throw new IllegalArgumentException("group key must start with '" + GROUP + "' or '" + USER + "', got '"
          + Text.preview(key) + "'");
    }
    check(key.substring(2), key.startsWith(USER) ? "user id" : "group name");
  }

  /** The group the application calls {@code name}. */
  public static GroupName of(String name) {
    return new GroupName(GROUP + check(requireNonNull(name, "name"), "group name"));
  }

  /** The connections of the user {@code userId}. */
  public static GroupName user(String userId) {
    return new GroupName(USER + check(requireNonNull(userId, "userId"), "user id"));
  }

  /** Whether this is a user's group ({@link #user}) rather than a named one. */
  public boolean isUser() {
    return key.startsWith(USER);
  }

  /** The group's name, or the user id for a user's group. */
  public String name() {
    return key.substring(2);
  }

  private static String check(String value, String what) {
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(what + " must have 1 to " + MAX_LENGTH + " characters, got "
          + value.length());
    }
    Text.requireStorable(value, what);
    return value;
  }

  /** {@code group 'name'} or {@code user 'id'}, cut and escaped for a log line. */
  @Override
  public String toString() {
    return (isUser() ? "user '" : "group '") + Text.preview(name()) + "'";
  }
}
