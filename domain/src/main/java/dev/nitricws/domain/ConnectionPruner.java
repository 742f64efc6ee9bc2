package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Removes connections the gateway reports gone: after a send or close whose outcome is {@link
 * SendOutcome.Gone}, the connection is unregistered, so later broadcasts skip it.
 *
 * <p>Except while it may still be connecting. The app registers a connection when it accepts the
 * connect, and the gateway opens it only once that answer has reached it; a send in between (a
 * broadcast started by another connection) is answered gone too, by the local runtime and by AWS
 * API Gateway alike. Pruning then would leave a live connection without an entry, missing every
 * broadcast until it leaves. So an entry that connected less than the connect grace ago is kept:
 * a later send that finds it gone prunes it once it is older, and its expiry removes it in any case.
 */
public final class ConnectionPruner {

  /**
   * How long after its connect an entry is kept although a send found it gone: the longest a
   * gateway waits for the answer to a connect (the local runtime's handler timeout, 30 s; API
   * Gateway's integration timeout, 29 s), after which it refuses the connection rather than open it.
   */
  public static final Duration DEFAULT_CONNECT_GRACE = Duration.ofSeconds(30);

  private final ConnectionRegistry registry;
  private final Clock clock;
  private final Duration connectGrace;

  /** A pruner judging age by the system clock, with {@link #DEFAULT_CONNECT_GRACE}. */
  public ConnectionPruner(ConnectionRegistry registry) {
    this(registry, Clock.systemUTC(), DEFAULT_CONNECT_GRACE);
  }

  /**
   * A pruner that keeps an entry whose {@link Connection#connectedAt()} is less than {@code
   * connectGrace} before {@code clock}'s now.
   */
  public ConnectionPruner(ConnectionRegistry registry, Clock clock, Duration connectGrace) {
    this.registry = requireNonNull(registry, "registry");
    this.clock = requireNonNull(clock, "clock");
    this.connectGrace = requireNonNull(connectGrace, "connectGrace");
    if (connectGrace.isNegative()) {
      throw new IllegalArgumentException("connectGrace must not be negative, got " + connectGrace);
    }
  }

  /**
   * Looks at the outcome of a send to {@code id}; when it is gone, unregisters the connection
   * unless its entry is younger than the connect grace. The returned stage completes with the same
   * outcome once the registry has been updated. A failure to read or unregister does not fail the
   * stage: the entry is then pruned by a later send, or expires on its own.
   */
  public CompletionStage<SendOutcome> afterSend(SocketName socket, ConnectionId id, SendOutcome outcome) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    requireNonNull(outcome, "outcome");
    if (!outcome.isGone()) {
      return CompletableFuture.completedFuture(outcome);
    }
    return registry.find(socket, id)
        .thenCompose(entry -> entry.isEmpty() || isConnecting(entry.get())
            ? CompletableFuture.completedFuture(false)
            : registry.unregister(socket, id))
        .handle((removed, error) -> outcome);
  }

  private boolean isConnecting(Connection entry) {
    return entry.connectedAt().plus(connectGrace).isAfter(clock.instant());
  }
}
