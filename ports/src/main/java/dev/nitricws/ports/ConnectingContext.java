package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.Headers;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A connect in progress as its handler sees it. */
final class ConnectingContext extends HandlerContext implements ConnectContext {

  private final QueryParameters query;
  private final Headers headers;
  private final Map<String, String> attributes = new ConcurrentHashMap<>();
  private volatile String rejection;

  ConnectingContext(Websocket socket, SocketEvent.Connect event) {
    super(socket, event.connectionId());
    this.query = event.query();
    this.headers = event.headers();
  }

  @Override
  public Headers headers() {
    return headers;
  }

  @Override
  public QueryParameters query() {
    return query;
  }

  @Override
  public ConnectContext attribute(String name, String value) {
    attributes.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
    return this;
  }

  @Override
  public Map<String, String> attributes() {
    return Collections.unmodifiableMap(attributes);
  }

  @Override
  public void reject(String reason) {
    this.rejection = requireNonNull(reason, "reason");
  }

  @Override
  public Optional<String> rejection() {
    return Optional.ofNullable(rejection);
  }
}
