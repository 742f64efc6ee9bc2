package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

/**
 * The name of a websocket resource, as declared to Nitric (for example {@code "chat"}).
 *
 * <p>Names follow Nitric's resource naming: 1 to 64 characters, letters, digits, {@code -} and
 * {@code _}, starting with a letter or digit. The restricted alphabet lets stores use the name in
 * keys and prefixes without escaping.
 */
public record SocketName(String value) {

  /** The longest name accepted. */
  public static final int MAX_LENGTH = 64;

  public SocketName {
    requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("socket name must not be empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "socket name is " + value.length() + " characters long, the limit is " + MAX_LENGTH
              + ": '" + Text.preview(value) + "'");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean letterOrDigit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!letterOrDigit && (i == 0 || (c != '-' && c != '_'))) {
        throw new IllegalArgumentException(
            "socket name '" + Text.preview(value) + "' has " + Text.describe(c) + " at index " + i
                + "; names use letters, digits, '-' and '_' and start with a letter or digit");
      }
    }
  }

  /** Shorthand for {@code new SocketName(value)}. */
  public static SocketName of(String value) {
    return new SocketName(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
