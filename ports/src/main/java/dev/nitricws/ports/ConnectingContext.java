package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.Headers;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A connect in progress as its handler sees it. */
final class ConnectingContext extends HandlerContext implements ConnectContext {

  private final QueryParameters query;
  private final Headers headers;
  private final Map<String, String> attributes = new ConcurrentHashMap<>();
  private final Set<GroupName> groups = new LinkedHashSet<>();
  private volatile EventAnswer.Reject rejection;

  ConnectingContext(Websocket socket, SocketEvent.Connect event, Consumer<SocketError> errors) {
    super(socket, event.connectionId(), null, errors);
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
  public ConnectContext user(String userId) {
    GroupName group = GroupName.user(userId);
    attribute(Authenticator.SUBJECT_ATTRIBUTE, userId);
    synchronized (groups) {
      groups.removeIf(GroupName::isUser);
      groups.add(group);
    }
    return this;
  }

  @Override
  public ConnectContext join(String group) {
    GroupName name = GroupName.of(group);
    synchronized (groups) {
      groups.add(name);
    }
    return this;
  }

  /** The groups the connection joins once accepted: its user's and those named by {@link #join}. */
  List<GroupName> groupsToJoin() {
    synchronized (groups) {
      return List.copyOf(groups);
    }
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
