package dev.nitricws.adapters.nitric.events;

import static java.util.Objects.requireNonNull;

import dev.nitricws.adapters.nitric.NitricCallException;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.PositiveDuration;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.SocketEvents;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketHandlerGrpc;
import io.grpc.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound Nitric adapter: receives the socket events of the Nitric runtime and hands them to
 * the application's {@link SocketEvents} port.
 *
 * <p>Opens one HandleEvents stream per socket and event type (connect, disconnect, message),
 * registers each, and answers every event request exactly once with the id it came with: a
 * connect with the application's accept or reject, other events plainly. An event the
 * application fails, does not answer within the answer timeout, or that is malformed is still
 * answered (a connect is then rejected). Events are handed to {@code SocketEvents.handle} on the
 * gRPC thread they arrive on, in order, and that call must return at once (the port's contract);
 * answers are written through a lock-free serializing writer, so no gRPC thread ever waits for
 * the application.
 *
 * <p>A stream that fails or that the runtime ends is opened and registered again with
 * exponential backoff (100 ms doubling to 5 s, with jitter) until {@link #close()}; an outage is
 * logged once at WARN and its end once at INFO.
 */
public final class NitricEventSource implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NitricEventSource.class);

  /**
   * How long an event waits for the application's answer unless the builder says otherwise: more
   * than the application's own handler timeout (10 s by default), less than the runtime's handler
   * timeout (30 s in this project's local runtime), so the app gives up first and the runtime
   * always gets an answer from the app's side.
   */
  public static final Duration DEFAULT_ANSWER_TIMEOUT = Duration.ofSeconds(20);

  private enum State { NEW, STARTED, COLLECTING, CLOSED }

  private final List<EventStream> streams;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Duration closeGrace;
  private final String target;
  private final Outage outage;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final CompletableFuture<Void> started;
  private volatile CompletableFuture<Void> stopped;

  private NitricEventSource(Builder b) {
    Set<SocketName> sockets = requireNonNull(b.events.sockets(), "events.sockets()");
    if (sockets.isEmpty()) {
      throw new IllegalArgumentException("the application serves no socket; an event source needs at least one");
    }
    this.target = b.channel.authority();
    this.outage = new Outage(target);
    this.closeGrace = b.closeGrace;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler = ownsScheduler ? defaultScheduler() : b.scheduler;
    EventStream.Shared shared = new EventStream.Shared(WebsocketHandlerGrpc.newStub(b.channel), b.events, scheduler,
        b.backoff, b.answerTimeout, target, outage, sockets.size() * 3);
    List<EventStream> list = new ArrayList<>();
    for (SocketName socket : sockets) {
      for (WebsocketEventType type : List.of(WebsocketEventType.Connect, WebsocketEventType.Disconnect,
          WebsocketEventType.Message)) {
        list.add(new EventStream(shared, socket, type));
      }
    }
    this.streams = List.copyOf(list);
    this.started = CompletableFuture.allOf(streams.stream().map(EventStream::firstRegistration)
        .toArray(CompletableFuture[]::new));
  }

  /** An event source with the default settings, feeding {@code events} from the runtime behind {@code channel}. */
  public static NitricEventSource create(Channel channel, SocketEvents events) {
    return builder(channel, events).build();
  }

  /** Starts building an event source over {@code channel} (which the caller owns and shuts down). */
  public static Builder builder(Channel channel, SocketEvents events) {
    return new Builder(channel, events);
  }

  /**
   * Opens every stream. The stage completes when every stream has been registered once; it
   * fails only if the source is closed first (until then failed streams are retried). Calling it
   * again returns the same stage.
   *
   * @throws IllegalStateException when the source was closed
   */
  public CompletionStage<Void> start() {
    if (state.compareAndSet(State.NEW, State.STARTED)) {
      LOG.info("registering {} handler streams for sockets {} with the Nitric runtime at {}", streams.size(),
          streams.stream().map(EventStream::socket).distinct().toList(), target);
      started.thenRun(() -> LOG.info("all {} handler streams are registered with the Nitric runtime at {}",
          streams.size(), target));
      streams.forEach(EventStream::open);
    } else if (state.get() == State.CLOSED) {
      throw new IllegalStateException("the event source is closed; build a new one");
    } else if (state.get() == State.COLLECTING) {
      throw new IllegalStateException("the event source registers once for a collection (collect()); it cannot start");
    }
    return started.copy();
  }

  /**
   * For the Nitric CLI's build-time collection ({@code NITRIC_ENVIRONMENT=build}): opens every
   * stream once and never again. The collector answers each registration and ends the stream;
   * the stage completes when every stream was registered and ended, so the app can exit. It fails
   * with a {@link NitricCallException} naming the stream when the runtime ends one without
   * registering it (a refusal such as a duplicate handler, or no runtime at the address).
   *
   * @throws IllegalStateException when the source was started or closed
   */
  public CompletionStage<Void> collect() {
    if (!state.compareAndSet(State.NEW, State.COLLECTING)) {
      throw new IllegalStateException("collect() needs a new event source; this one is " + state.get());
    }
    LOG.info("registering {} handler streams once, for the Nitric CLI's collection at {}", streams.size(), target);
    streams.forEach(EventStream::openOnce);
    List<CompletableFuture<Void>> all = streams.stream().map(EventStream::collected).toList();
    CompletableFuture<Void> done = new CompletableFuture<>();
    // fail at the first refusal rather than after every stream has ended
    all.forEach(f -> f.whenComplete((v, e) -> {
      if (e != null) {
        done.completeExceptionally(e);
      }
    }));
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenRun(() -> done.complete(null));
    return done.whenComplete((v, e) -> {
      if (ownsScheduler) {
        scheduler.shutdownNow();
      }
    });
  }

  /** Whether every stream is registered right now (a health check). */
  public boolean isRegistered() {
    return state.get() == State.STARTED && streams.stream().allMatch(EventStream::isRegistered);
  }

  /** The runtime's address, as the channel names it. */
  public String target() {
    return target;
  }

  /** How many times streams were registered, the first time included (for tests and metrics). */
  public int registrations() {
    return streams.stream().mapToInt(EventStream::registrations).sum();
  }

  /**
   * Stops without waiting: no stream is opened again; each open stream first gets the answers
   * still due, then is half-closed, and is cancelled if the runtime has not ended it within the
   * close grace. The stage completes when every stream has ended. Idempotent.
   */
  public CompletionStage<Void> shutdown() {
    CompletableFuture<Void> s = stopped;
    if (s != null) {
      return s.copy();
    }
    synchronized (this) {
      if (stopped == null) {
        state.set(State.CLOSED);
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        for (EventStream stream : streams) {
          ends.add(stream.close(closeGrace));
        }
        stopped = CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
          if (ownsScheduler) {
            scheduler.shutdownNow();
          }
          LOG.info("event source of the Nitric runtime at {} stopped", target);
        });
      }
      return stopped.copy();
    }
  }

  /** Shuts down and waits for the streams to end (at most twice the close grace and a second). */
  @Override
  public void close() {
    try {
      shutdown().toCompletableFuture().get(closeGrace.toMillis() * 2 + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("event source of the Nitric runtime at {} did not stop cleanly: {}", target, LogText.escape(e));
      if (ownsScheduler) {
        scheduler.shutdownNow();
      }
    }
  }

  private static ScheduledExecutorService defaultScheduler() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "nitricws-event-source");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /** Settings of a {@link NitricEventSource}; every one has a default. */
  public static final class Builder {
    private final Channel channel;
    private final SocketEvents events;
    private Backoff backoff = Backoff.DEFAULT;
    private Duration answerTimeout = DEFAULT_ANSWER_TIMEOUT;
    private Duration closeGrace = Duration.ofSeconds(5);
    private ScheduledExecutorService scheduler;

    private Builder(Channel channel, SocketEvents events) {
      this.channel = requireNonNull(channel, "channel");
      this.events = requireNonNull(events, "events");
    }

    /** Reconnect delays: {@code initial} doubling per failure up to {@code max}, with jitter (default 100 ms to 5 s). */
    public Builder backoff(Duration initial, Duration max) {
      this.backoff = new Backoff(initial, max);
      return this;
    }

    /**
     * How long an event may wait for the application's answer before it is answered without it
     * (a connect rejected); a safety net behind the application's own handler timeout (default
     * 20 s: keep it above that timeout and below the runtime's handler timeout).
     */
    public Builder answerTimeout(Duration timeout) {
      this.answerTimeout = positive(timeout, "answerTimeout");
      return this;
    }

    /** How long closing waits for answers still due, and then for the runtime to end each stream (default 5 s). */
    public Builder closeGrace(Duration grace) {
      this.closeGrace = positive(grace, "closeGrace");
      return this;
    }

    /** Runs retry and timeout timers on {@code scheduler} (which the caller shuts down) instead of an own thread. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The event source, not yet started. */
    public NitricEventSource build() {
      return new NitricEventSource(this);
    }

    private static Duration positive(Duration d, String name) {
      return PositiveDuration.require(name, d);
    }
  }
}
