package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One websocket connection as the registry keeps it: which socket, its id, the attributes the
 * application set when it accepted the connection, the query parameters of the upgrade request,
 * when it connected and when the entry expires (the gateway's longest connection life after
 * connect). Times are kept to the millisecond, the precision every store keeps. Attribute and
 * query texts may hold any character but U+0000 and unpaired surrogates, which not every store
 * can keep. {@link #toString()} names the attributes and query parameters without their values.
 */
public record Connection(
    SocketName socket,
    ConnectionId id,
    Map<String, String> attributes,
    QueryParameters query,
    Instant connectedAt,
    Instant expiresAt) {

  /** The longest attribute name accepted. */
  public static final int MAX_ATTRIBUTE_NAME_LENGTH = 256;

  public Connection {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    requireNonNull(attributes, "attributes");
    requireNonNull(query, "query");
    requireNonNull(connectedAt, "connectedAt");
    requireNonNull(expiresAt, "expiresAt");
    Map<String, String> copy = new LinkedHashMap<>();
    attributes.forEach((name, value) -> {
      requireNonNull(name, "attribute name");
      requireNonNull(value, () -> "value of attribute '" + name + "'");
      if (name.isEmpty() || name.length() > MAX_ATTRIBUTE_NAME_LENGTH) {
        throw new IllegalArgumentException("attribute name must have 1 to "
            + MAX_ATTRIBUTE_NAME_LENGTH + " characters, got " + name.length()
            + " for connection " + id);
      }
      Text.requireStorable(name, "attribute name", id);
      Text.requireStorable(value, "attribute '" + name + "'", id);
      copy.put(name, value);
    });
    query.values().forEach((name, values) -> {
      Text.requireStorable(name, "query parameter name", id);
      values.forEach(v -> Text.requireStorable(v, "query parameter '" + name + "'", id));
    });
    attributes = copy.isEmpty() ? Map.of() : Collections.unmodifiableMap(copy);
    connectedAt = connectedAt.truncatedTo(ChronoUnit.MILLIS);
    expiresAt = expiresAt.truncatedTo(ChronoUnit.MILLIS);
    if (expiresAt.isBefore(connectedAt)) {
      throw new IllegalArgumentException("connection " + id + " expires at " + expiresAt
          + ", before it connected at " + connectedAt);
    }
  }

  /** Whether the entry has expired at {@code now}: expired entries are never returned. */
  public boolean isExpiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /** A copy with one more attribute (or a new value for it). */
  public Connection withAttribute(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(attributes);
    more.put(name, value);
    return new Connection(socket, id, more, query, connectedAt, expiresAt);
  }

  /** Socket, id, times, and the names (never the values) of attributes and query parameters. */
  @Override
  public String toString() {
    return "Connection[socket=" + socket + ", id=" + id + ", attributes=" + Text.names(attributes.keySet())
        + ", query=" + Text.names(query.values().keySet()) + ", connectedAt=" + connectedAt + ", expiresAt=" + expiresAt + "]";
  }
}
