package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.Headers;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A connect in progress as its handler sees it. */
final class ConnectingContext extends HandlerContext implements ConnectContext {

  private final QueryParameters query;
  private final Headers headers;
  private final Map<String, String> attributes = new ConcurrentHashMap<>();
  private volatile EventAnswer.Reject rejection;

  ConnectingContext(Websocket socket, SocketEvent.Connect event, Consumer<SocketError> errors) {
    super(socket, event.connectionId(), errors);
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
  public Optional<String> attribute(String name) {
    return Optional.ofNullable(attributes.get(requireNonNull(name, "name")));
  }

  /** The attributes set so far, to keep with the connection. */
  Map<String, String> keptAttributes() {
    return Collections.unmodifiableMap(attributes);
  }

  @Override
  public void reject(int status, String reason) {
    this.rejection = new EventAnswer.Reject(status, reason);
  }

  /** The handler's reject, with its status and reason, if it rejected the connection. */
  Optional<EventAnswer.Reject> rejection() {
    return Optional.ofNullable(rejection);
  }
}
