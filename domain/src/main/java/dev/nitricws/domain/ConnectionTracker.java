package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Keeps the registry in step with the gateway: a connection is registered once the application
 * accepts its connect, and unregistered on disconnect. Each entry expires after the gateway's
 * longest connection life, so a lost disconnect heals by itself.
 */
public final class ConnectionTracker {

  /** AWS API Gateway's maximum connection duration, the default life of an entry. */
  public static final Duration DEFAULT_MAX_CONNECTION_LIFE = Duration.ofHours(2);

  private final ConnectionRegistry registry;
  private final Clock clock;
  private final Duration maxConnectionLife;

  public ConnectionTracker(ConnectionRegistry registry, Clock clock, Duration maxConnectionLife) {
    this.registry = requireNonNull(registry, "registry");
    this.clock = requireNonNull(clock, "clock");
    this.maxConnectionLife = PositiveDuration.require("maxConnectionLife", maxConnectionLife);
  }

  /** A tracker with the system clock and {@link #DEFAULT_MAX_CONNECTION_LIFE}. */
  public ConnectionTracker(ConnectionRegistry registry) {
    this(registry, Clock.systemUTC(), DEFAULT_MAX_CONNECTION_LIFE);
  }

  /** Registers the connection of an accepted connect, with the attributes the app set. */
  public CompletionStage<Connection> accepted(SocketEvent.Connect event, Map<String, String> attributes) {
    requireNonNull(event, "event");
    requireNonNull(attributes, "attributes");
    Instant now = clock.instant();
    Connection connection = new Connection(event.socket(), event.connectionId(), attributes,
        event.query(), now, now.plus(maxConnectionLife));
    return registry.register(connection).thenApply(ignored -> connection);
  }

  /** Unregisters a connection that went away; {@code true} if it was registered. */
  public CompletionStage<Boolean> disconnected(SocketEvent.Disconnect event) {
    requireNonNull(event, "event");
    return registry.unregister(event.socket(), event.connectionId());
  }
}
