package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends one message to every connection of a socket. Ids are read from the registry page by
 * page and at most {@code maxInFlight} sends are outstanding at any time, so memory stays flat
 * whatever the number of connections and the gateway is never flooded. Connections the gateway
 * reports gone are pruned; expired entries are never read, so never sent to. Every send is
 * bounded by the send timeout: one the gateway never answers ends as failed at its deadline and
 * frees its slot, so one slow connection cannot hold a broadcast up. Nothing blocks.
 */
public final class Broadcaster {

  /** Default number of ids read from the registry at a time. */
  public static final int DEFAULT_PAGE_SIZE = 500;
  /** Default number of sends outstanding at once. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 256;
  /** Default longest wait for one send. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(10);

  private final ConnectionRegistry registry;
  private final ConnectionPruner pruner;
  private final int pageSize;
  private final int maxInFlight;
  private final Duration sendTimeout;
  private final SendBudget budget;

  /**
   * A broadcaster reading {@code pageSize} ids at a time, with at most {@code maxInFlight} sends
   * of one broadcast outstanding, and every send (of every broadcast, and the single sends of
   * {@link #bounded}) within {@code budget}; each send ends as failed if not answered within
   * {@code sendTimeout} of asking.
   */
  public Broadcaster(ConnectionRegistry registry, int pageSize, int maxInFlight, Duration sendTimeout,
      SendBudget budget) {
    this.registry = requireNonNull(registry, "registry");
    this.pruner = new ConnectionPruner(registry);
    if (pageSize < 1 || pageSize > 10_000) {
      throw new IllegalArgumentException("pageSize must be between 1 and 10000, got " + pageSize);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    PositiveDuration.require("sendTimeout", sendTimeout);
    this.pageSize = pageSize;
    this.maxInFlight = maxInFlight;
    this.sendTimeout = sendTimeout;
    this.budget = requireNonNull(budget, "budget");
  }

  /** A broadcaster with a {@link SendBudget} of its own, of the default size. */
  public Broadcaster(ConnectionRegistry registry, int pageSize, int maxInFlight, Duration sendTimeout) {
    this(registry, pageSize, maxInFlight, sendTimeout, new SendBudget());
  }

  /** A broadcaster with {@link #DEFAULT_SEND_TIMEOUT}. */
  public Broadcaster(ConnectionRegistry registry, int pageSize, int maxInFlight) {
    this(registry, pageSize, maxInFlight, DEFAULT_SEND_TIMEOUT);
  }

  /** A broadcaster with {@link #DEFAULT_PAGE_SIZE}, {@link #DEFAULT_MAX_IN_FLIGHT} and {@link #DEFAULT_SEND_TIMEOUT}. */
  public Broadcaster(ConnectionRegistry registry) {
    this(registry, DEFAULT_PAGE_SIZE, DEFAULT_MAX_IN_FLIGHT, DEFAULT_SEND_TIMEOUT);
  }

  /** The longest a send may take before it counts as failed. */
  public Duration sendTimeout() {
    return sendTimeout;
  }

  /** Delivers to every connection of {@code socket}. */
  public CompletionStage<BroadcastReport> broadcast(SocketName socket, Delivery delivery) {
    return broadcast(socket, delivery, null);
  }

  /**
   * {@code delivery} within the send budget (for a payload of {@code payloadBytes}) and ended by
   * the send timeout, which counts from asking: what every send of a broadcast goes through, for
   * single sends too. The stages never fail.
   */
  public Delivery bounded(Delivery delivery, long payloadBytes) {
    return budget.limit(requireNonNull(delivery, "delivery"), payloadBytes).within(sendTimeout);
  }

  /**
   * Delivers {@code payloadBytes} to every connection of {@code socket} but {@code except} (null:
   * none skipped), each send within the send budget; see {@link #broadcast(SocketName, Delivery,
   * ConnectionId)}.
   */
  public CompletionStage<BroadcastReport> broadcast(SocketName socket, Delivery delivery, ConnectionId except,
      long payloadBytes) {
    requireNonNull(socket, "socket");
    requireNonNull(delivery, "delivery");
    return run(socket, bounded(delivery, payloadBytes), except);
  }

  /**
   * Delivers to every connection of {@code socket} but {@code except} (null: none skipped). The
   * stage completes when every send has ended, or exceptionally if the registry fails to scan
   * (sends already started still finish and are pruned as usual).
   */
  public CompletionStage<BroadcastReport> broadcast(SocketName socket, Delivery delivery, ConnectionId except) {
    return broadcast(socket, delivery, except, 0);
  }

  private CompletionStage<BroadcastReport> run(SocketName socket, Delivery bounded, ConnectionId except) {
    Run run = new Run(socket, bounded, except);
    return registry.scan(socket, pageSize, run::page)
        .handle((count, scanError) -> scanError)
        .thenCompose(scanError -> run.finish().thenApply(report -> {
          if (scanError != null) {
            throw scanError instanceof RuntimeException re ? re
                : new ConnectionStoreException("broadcast to " + socket + " stopped: scan failed", scanError);
          }
          return report;
        }));
  }

  /** The state of one broadcast. */
  private final class Run {
    private final SocketName socket;
    private final Delivery delivery;
    private final ConnectionId except;
    private final AsyncPermits permits = new AsyncPermits(maxInFlight);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong gone = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Sends started and not yet ended, plus one held until the scan has ended. */
    private final AtomicLong outstanding = new AtomicLong(1);
    private final CompletableFuture<BroadcastReport> done = new CompletableFuture<>();

    Run(SocketName socket, Delivery delivery, ConnectionId except) {
      this.socket = socket;
      this.delivery = delivery;
      this.except = except;
    }

    /** Starts a send to each id of the page; completes once all of them have been started. */
    CompletionStage<Void> page(List<ConnectionId> ids) {
      CompletableFuture<Void> started = new CompletableFuture<>();
      pump(ids, 0, false, started);
      return started;
    }

    private void pump(List<ConnectionId> ids, int from, boolean holdingPermit, CompletableFuture<Void> started) {
      int i = from;
      boolean holding = holdingPermit;
      while (i < ids.size()) {
        ConnectionId id = ids.get(i);
        if (id.equals(except)) {
          i++;
          continue;
        }
        if (!holding) {
          int resumeAt = i;
          if (!permits.acquireOrQueue(() -> pump(ids, resumeAt, true, started))) {
            return;
          }
        }
        holding = false;
        i++;
        send(id);
      }
      if (holding) {
        permits.release();
      }
      started.complete(null);
    }

    private void send(ConnectionId id) {
      outstanding.incrementAndGet();
      // bounded: never throws, never fails, ends by the send timeout
      delivery.deliverTo(id)
          .thenCompose(o -> pruner.afterSend(socket, id, o))
          .whenComplete((o, error) -> {
            if (error != null || o instanceof SendOutcome.Failed) {
              failed.incrementAndGet();
            } else if (o.isGone()) {
              gone.incrementAndGet();
            } else {
              delivered.incrementAndGet();
            }
            permits.release();
            ended();
          });
    }

    private void ended() {
      if (outstanding.decrementAndGet() == 0) {
        done.complete(new BroadcastReport(delivered.get(), gone.get(), failed.get()));
      }
    }

    CompletionStage<BroadcastReport> finish() {
      ended();
      return done;
    }
  }
}
