package dev.nitricws.domain;

import java.time.Duration;
import java.util.Optional;

/**
 * Outbound port: what happens to an app's sockets, for metrics. The app calls it on its event,
 * send and broadcast paths; an adapter (e.g. Micrometer's) counts and times. Every method has a
 * default that does nothing, and {@link #NONE} does nothing at all.
 *
 * <p>Implementations are called from any thread, often the one that completed a network call, and
 * concurrently: they must be thread-safe, return at once (never block or do I/O) and never throw.
 * They see socket names, event kinds and outcomes only, never a query, header, attribute or
 * payload.
 */
public interface SocketMetrics {

  /** Records nothing: the default of an app built without metrics. */
  SocketMetrics NONE = new SocketMetrics() {};

  /**
   * The app answered {@code event}: {@code accepted} is the answer to a connect (false: the
   * connection was refused) and true for every disconnect and message. An accepted connect opened a
   * connection on this instance, a disconnect closed one.
   */
  default void eventAnswered(SocketEvent event, boolean accepted) {}

  /**
   * A handler method for {@code event} threw, failed the work it handed over, or did not end
   * within the handler timeout. The event is still answered (and counted by {@link #eventAnswered}).
   */
  default void handlerFailed(SocketEvent event) {}

  /** A send to one connection of {@code socket} (alone or as part of a broadcast) ended with {@code outcome}. */
  default void sent(SocketName socket, SendOutcome outcome) {}

  /**
   * A broadcast on {@code socket} ended after {@code took}, every send of it ended; {@code report}
   * is empty when it stopped because the registry failed to scan.
   */
  default void broadcastEnded(SocketName socket, Duration took, Optional<BroadcastReport> report) {}
}
