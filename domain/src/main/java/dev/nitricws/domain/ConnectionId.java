package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

/**
 * The id the gateway gave one websocket connection (a UUID locally, an API Gateway id on AWS).
 *
 * <p>Ids are opaque: 1 to 256 characters of valid Unicode (no unpaired surrogates), no control
 * characters and no leading or trailing white space. Anything else (quotes, slashes, unicode) is allowed and every store must keep it
 * as it is.
 */
public record ConnectionId(String value) implements Comparable<ConnectionId> {

  /** The longest id accepted. */
  public static final int MAX_LENGTH = 256;

  public ConnectionId {
    requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("connection id must not be empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "connection id is " + value.length() + " characters long, the limit is " + MAX_LENGTH
              + ": '" + Text.preview(value) + "'");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException("connection id must not be blank");
    }
    if (Character.isWhitespace(value.charAt(0)) || Character.isWhitespace(value.charAt(value.length() - 1))) {
      throw new IllegalArgumentException(
          "connection id '" + Text.preview(value) + "' starts or ends with white space");
    }
    int bad = Text.firstControl(value);
    if (bad >= 0) {
      throw new IllegalArgumentException(
          "connection id '" + Text.preview(value) + "' has " + Text.describe(value.charAt(bad))
              + " at index " + bad + "; control characters are not allowed");
    }
    int lone = Text.firstLoneSurrogate(value);
    if (lone >= 0) {
      throw new IllegalArgumentException("connection id '" + Text.preview(value) + "' has an unpaired surrogate "
          + Text.describe(value.charAt(lone)) + " at index " + lone + "; ids must be valid Unicode");
    }
  }

  /** Shorthand for {@code new ConnectionId(value)}. */
  public static ConnectionId of(String value) {
    return new ConnectionId(value);
  }

  @Override
  public int compareTo(ConnectionId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
