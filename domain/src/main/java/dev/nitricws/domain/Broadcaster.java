package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Sends one message to every connection of a socket. Ids are read from the registry page by
 * page and at most {@code maxInFlight} sends are outstanding at any time, so memory stays flat
 * whatever the number of connections and the gateway is never flooded. Every send goes through the
 * {@link BoundedSender}: within the app's send budget, ended by the send timeout (so one slow
 * connection cannot hold a broadcast up), and connections the gateway reports gone are pruned.
 * Expired entries are never read, so never sent to. Nothing blocks.
 */
public final class Broadcaster {

  /** Default number of ids read from the registry at a time. */
  public static final int DEFAULT_PAGE_SIZE = 500;
  /** Default number of sends outstanding at once. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 256;

  private final ConnectionRegistry registry;
  private final BoundedSender sender;
  private final int pageSize;
  private final int maxInFlight;
  private final SocketMetrics metrics;

  /**
   * A broadcaster reading {@code pageSize} ids at a time from {@code registry}, with at most
   * {@code maxInFlight} sends of one broadcast outstanding, each through {@code sender}.
   */
  public Broadcaster(ConnectionRegistry registry, BoundedSender sender, int pageSize, int maxInFlight) {
    this.registry = requireNonNull(registry, "registry");
    this.sender = requireNonNull(sender, "sender");
    this.metrics = sender.metrics();
    Pages.checkPageSize(pageSize);
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    this.pageSize = pageSize;
    this.maxInFlight = maxInFlight;
  }

  /** A broadcaster with {@link #DEFAULT_PAGE_SIZE} and {@link #DEFAULT_MAX_IN_FLIGHT}. */
  public Broadcaster(ConnectionRegistry registry, BoundedSender sender) {
    this(registry, sender, DEFAULT_PAGE_SIZE, DEFAULT_MAX_IN_FLIGHT);
  }

  /**
   * Sends {@code frozen} (never changed afterwards: every send shares it) to every connection of
   * {@code socket} but {@code except} (null: none skipped). The stage completes when every send has
   * ended, or exceptionally if the registry fails to scan (sends already started still finish and
   * are pruned as usual).
   */
  public CompletionStage<BroadcastReport> broadcast(SocketName socket, byte[] frozen, ConnectionId except) {
    requireNonNull(socket, "socket");
    return broadcast(socket, (size, onPage) -> registry.scan(socket, size, onPage), frozen, except);
  }

  /**
   * As {@link #broadcast(SocketName, byte[], ConnectionId)}, to the connections of {@code socket}
   * that {@code audience} delivers (e.g. a group's members) instead of all of them.
   */
  public CompletionStage<BroadcastReport> broadcast(SocketName socket, Audience audience, byte[] frozen,
      ConnectionId except) {
    requireNonNull(socket, "socket");
    requireNonNull(audience, "audience");
    requireNonNull(frozen, "frozen");
    Run run = new Run(socket, frozen, except);
    long started = System.nanoTime();
    return audience.scan(pageSize, run::page)
        .handle((count, scanError) -> scanError)
        .thenCompose(scanError -> run.finish().thenApply(report -> {
          if (scanError != null) {
            Throwable cause = Futures.unwrap(scanError);
            throw cause instanceof RuntimeException re ? re
                : new ConnectionStoreException("broadcast to " + socket + " stopped: scan failed", cause);
          }
          return report;
        })).whenComplete((report, error) ->
            metrics.broadcastEnded(socket, Duration.ofNanos(System.nanoTime() - started), Optional.ofNullable(report)));
  }

  /**
   * Where a broadcast reads its ids: a scan with the contract of {@link ConnectionRegistry#scan}
   * (pages of at most {@code pageSize}, the next read only once {@code onPage}'s stage completed).
   */
  @FunctionalInterface
  public interface Audience {
    CompletionStage<Long> scan(int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage);
  }

  /** The state of one broadcast. */
  private final class Run {
    private final SocketName socket;
    private final byte[] frozen;
    private final ConnectionId except;
    private final Object flow = sender.flow();
    private final AsyncPermits permits = new AsyncPermits(maxInFlight);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong gone = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Sends started and not yet ended, plus one held until the scan has ended. */
    private final AtomicLong outstanding = new AtomicLong(1);
    private final CompletableFuture<BroadcastReport> done = new CompletableFuture<>();

    Run(SocketName socket, byte[] frozen, ConnectionId except) {
      this.socket = socket;
      this.frozen = frozen;
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
      // never throws, never fails, ends by the send timeout
      sender.send(socket, id, frozen, flow).whenComplete((o, error) -> {
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
