package dev.nitricws.adapters.micrometer;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketMetrics;
import dev.nitricws.domain.SocketName;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The {@link SocketMetrics} port on Micrometer. Every meter carries the tag {@code socket} (the
 * app's own socket names: a handful). The meters of a socket are made on its first event and
 * kept, so recording allocates nothing.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what it counts</th></tr>
 *   <tr><td>{@value #CONNECTIONS_OPEN}</td><td>gauge</td><td>socket</td><td>connects this instance accepted
 *       minus disconnects it handled (see below)</td></tr>
 *   <tr><td>{@value #EVENTS}</td><td>counter</td><td>socket, type (connect, disconnect, message), outcome
 *       (accepted, rejected)</td><td>events answered; only a connect is ever rejected</td></tr>
 *   <tr><td>{@value #HANDLER_FAILURES}</td><td>counter</td><td>socket, type</td><td>handler calls that
 *       threw, failed their work or timed out</td></tr>
 *   <tr><td>{@value #SENDS}</td><td>counter</td><td>socket, outcome (delivered, gone, failed)</td><td>sends to
 *       one connection, alone or in a broadcast</td></tr>
 *   <tr><td>{@value #BROADCAST_DURATION}</td><td>timer</td><td>socket, outcome (completed, failed)</td><td>from
 *       the start of a broadcast until its last send ended; failed: the registry's scan failed</td></tr>
 *   <tr><td>{@value #BROADCAST_RECIPIENTS}</td><td>distribution summary</td><td>socket</td><td>connections a
 *       completed broadcast tried to reach</td></tr>
 * </table>
 *
 * <p>The gauge counts this instance's events only: with several app instances, the gateway may hand
 * the connect of a connection to one instance and its disconnect to another, so one instance's
 * value can even fall below zero; the sum over all instances is the number of open connections.
 * The store's own count ({@code Websocket.connectionCount()}) is the authority.
 */
public final class MicrometerSocketMetrics implements SocketMetrics {

  /** Gauge: connects accepted minus disconnects, on this instance. */
  public static final String CONNECTIONS_OPEN = "nitricws.connections.open";
  /** Counter: events answered, by type and outcome. */
  public static final String EVENTS = "nitricws.events";
  /** Counter: handler calls that failed, by event type. */
  public static final String HANDLER_FAILURES = "nitricws.handler.failures";
  /** Counter: sends to one connection, by outcome. */
  public static final String SENDS = "nitricws.sends";
  /** Timer: how long broadcasts took, by outcome. */
  public static final String BROADCAST_DURATION = "nitricws.broadcast.duration";
  /** Distribution summary: connections each completed broadcast tried to reach. */
  public static final String BROADCAST_RECIPIENTS = "nitricws.broadcast.recipients";

  private static final String[] TYPES = {"connect", "disconnect", "message"};

  private final MeterRegistry registry;
  private final ConcurrentMap<SocketName, SocketMeters> sockets = new ConcurrentHashMap<>();
  private final Function<SocketName, SocketMeters> newMeters = SocketMeters::new;

  /** Records into {@code registry}; a socket's meters appear with its first event. */
  public MicrometerSocketMetrics(MeterRegistry registry) {
    this(registry, List.of());
  }

  /**
   * Records into {@code registry}, with the meters of {@code sockets} (the app's) made at once, so
   * they read zero before the first event rather than being absent.
   */
  public MicrometerSocketMetrics(MeterRegistry registry, Collection<SocketName> sockets) {
    this.registry = requireNonNull(registry, "registry");
    requireNonNull(sockets, "sockets").forEach(this::meters);
  }

  @Override
  public void eventAnswered(SocketEvent event, boolean accepted) {
    SocketMeters meters = meters(event.socket());
    int type = type(event);
    if (accepted) {
      meters.accepted[type].increment();
    } else if (type == 0) {
      meters.rejectedConnects.increment();
    } else {
      // the app answers every disconnect and message plainly; another caller may not
      meters.event(event.socket().value(), TYPES[type], "rejected").increment();
    }
    if (accepted && type == 0) {
      meters.open.incrementAndGet();
    } else if (type == 1) {
      meters.open.decrementAndGet();
    }
  }

  @Override
  public void handlerFailed(SocketEvent event) {
    meters(event.socket()).handlerFailures[type(event)].increment();
  }

  @Override
  public void sent(SocketName socket, SendOutcome outcome) {
    SocketMeters meters = meters(socket);
    (outcome.isDelivered() ? meters.delivered : outcome.isGone() ? meters.gone : meters.failed).increment();
  }

  @Override
  public void broadcastEnded(SocketName socket, Duration took, Optional<BroadcastReport> report) {
    SocketMeters meters = meters(socket);
    if (report.isPresent()) {
      meters.broadcastCompleted.record(took);
      meters.recipients.record(report.get().attempted());
    } else {
      meters.broadcastFailed.record(took);
    }
  }

  private SocketMeters meters(SocketName socket) {
    return sockets.computeIfAbsent(socket, newMeters);
  }

  private static int type(SocketEvent event) {
    return event instanceof SocketEvent.Connect ? 0 : event instanceof SocketEvent.Disconnect ? 1 : 2;
  }

  /** The meters of one socket, made once. */
  private final class SocketMeters {
    final AtomicLong open = new AtomicLong();
    final Counter[] accepted = new Counter[TYPES.length];
    final Counter rejectedConnects;
    final Counter[] handlerFailures = new Counter[TYPES.length];
    final Counter delivered;
    final Counter gone;
    final Counter failed;
    final Timer broadcastCompleted;
    final Timer broadcastFailed;
    final DistributionSummary recipients;

    SocketMeters(SocketName socket) {
      String name = socket.value();
      Gauge.builder(CONNECTIONS_OPEN, open, AtomicLong::get)
          .description("connects this instance accepted minus disconnects it handled")
          .tag("socket", name)
          .strongReference(true)
          .register(registry);
      for (int i = 0; i < TYPES.length; i++) {
        accepted[i] = event(name, TYPES[i], "accepted");
        handlerFailures[i] = Counter.builder(HANDLER_FAILURES)
            .description("handler calls that threw, failed their work or timed out")
            .tags("socket", name, "type", TYPES[i])
            .register(registry);
      }
      rejectedConnects = event(name, "connect", "rejected");
      delivered = send(name, "delivered");
      gone = send(name, "gone");
      failed = send(name, "failed");
      broadcastCompleted = broadcast(name, "completed");
      broadcastFailed = broadcast(name, "failed");
      recipients = DistributionSummary.builder(BROADCAST_RECIPIENTS)
          .description("connections each completed broadcast tried to reach")
          .tag("socket", name)
          .register(registry);
    }

    private Counter event(String socket, String type, String outcome) {
      return Counter.builder(EVENTS)
          .description("socket events the app answered")
          .tags("socket", socket, "type", type, "outcome", outcome)
          .register(registry);
    }

    private Counter send(String socket, String outcome) {
      return Counter.builder(SENDS)
          .description("sends to one connection, alone or in a broadcast")
          .tags("socket", socket, "outcome", outcome)
          .register(registry);
    }

    private Timer broadcast(String socket, String outcome) {
      return Timer.builder(BROADCAST_DURATION)
          .description("from the start of a broadcast until its last send ended")
          .tags("socket", socket, "outcome", outcome)
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofMinutes(1))
          .register(registry);
    }
  }
}
