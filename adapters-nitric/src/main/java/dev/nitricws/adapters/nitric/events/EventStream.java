package dev.nitricws.adapters.nitric.events;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.nitricws.adapters.nitric.NitricCallException;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.SocketEvents;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketHandlerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HandleEvents stream of a {@link NitricEventSource}: the handler of one event type of one
 * socket. Opens the call, registers, hands every event request to the application and answers
 * it exactly once, and opens a new call with backoff whenever the current one ends, until
 * closed. Each call is a {@link StreamCall}, whose requests an {@link EventDispatch} answers;
 * answers to requests of an ended call are dropped (the runtime that sent them has forgotten
 * them). This class holds the lifecycle: opening, retrying with backoff, closing and the
 * build-time collection.
 */
final class EventStream {

  private static final Logger LOG = LoggerFactory.getLogger(NitricEventSource.class);

  /** What the streams of one source share. */
  record Shared(
      WebsocketHandlerGrpc.WebsocketHandlerStub stub,
      SocketEvents events,
      ScheduledExecutorService scheduler,
      Backoff backoff,
      Duration answerTimeout,
      String target,
      Outage outage,
      int streamCount) {}

  private final Shared shared;
  private final SocketName socket;
  private final WebsocketEventType type;
  private final CompletableFuture<Void> firstRegistration = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final CompletableFuture<Void> collected = new CompletableFuture<>();
  private final AtomicInteger registrations = new AtomicInteger();

  private final Object lock = new Object();
  private StreamCall current;
  private ScheduledFuture<?> retry;
  private int failures;
  private boolean refusing;
  private boolean closing;
  private volatile boolean once;

  EventStream(Shared shared, SocketName socket, WebsocketEventType type) {
    this.shared = shared;
    this.socket = socket;
    this.type = type;
  }

  SocketName socket() {
    return socket;
  }

  WebsocketEventType type() {
    return type;
  }

  /** Completes when the stream is registered for the first time. */
  CompletableFuture<Void> firstRegistration() {
    return firstRegistration;
  }

  /** Whether the current call is registered. */
  boolean isRegistered() {
    synchronized (lock) {
      return current != null && current.registered();
    }
  }

  /** How many times a call of this stream was registered. */
  int registrations() {
    return registrations.get();
  }

  /**
   * Completes when this stream, opened by {@link #openOnce()}, was registered and then ended by
   * the runtime; fails when it ended without a registration (a refusal, or no runtime).
   */
  CompletableFuture<Void> collected() {
    return collected;
  }

  /**
   * Opens one call that is never opened again once it ends: what the Nitric CLI's build-time
   * collector expects (it answers the registration, ends the stream, and waits for the app to exit).
   */
  void openOnce() {
    once = true;
    open();
  }

  /** Opens a call unless one is open or the stream is closing. */
  void open() {
    StreamCall attempt;
    boolean retrying;
    synchronized (lock) {
      retry = null;
      if (closing || current != null) {
        return;
      }
      attempt = new StreamCall(this, shared);
      current = attempt;
      retrying = failures > 0;
    }
    if (retrying && shared.stub().getChannel() instanceof ManagedChannel managed) {
      // the channel keeps its own reconnect backoff (1 s growing by 1.6x up to 2 min), during which
      // calls fail at once: without this a runtime that is back is only reached when that timer
      // fires, long after this stream's own (at most 5 s) backoff
      managed.resetConnectBackoff();
    }
    attempt.start();
  }

  /**
   * Stops: no new call is opened; the current one gets every answer still due (waiting up to
   * {@code grace}), is half-closed, and is cancelled if the runtime has not ended it {@code
   * grace} later. Completes when the call has ended.
   */
  CompletableFuture<Void> close(Duration grace) {
    StreamCall attempt;
    synchronized (lock) {
      closing = true;
      if (retry != null) {
        retry.cancel(false);
        retry = null;
      }
      attempt = current;
    }
    firstRegistration.completeExceptionally(new IllegalStateException(
        "the event source was closed before the " + type + " handler of socket '" + socket + "' registered"));
    collected.completeExceptionally(new IllegalStateException(
        "the event source was closed before the runtime ended the " + type + " stream of socket '" + socket + "'"));
    if (attempt == null) {
      closed.complete(null);
    } else {
      attempt.finish(grace);
    }
    return closed;
  }

  /** {@code attempt} has ended with {@code status}: schedules the next call with backoff, or completes. */
  void ended(StreamCall attempt, Status status) {
    Duration delay;
    boolean refused;
    boolean wasRefusing;
    synchronized (lock) {
      if (current != attempt) {
        return;
      }
      current = null;
      if (once) {
        closing = true;
      }
      if (closing) {
        delay = null;
        refused = false;
        wasRefusing = false;
      } else {
        failures++;
        delay = shared.backoff().delay(failures);
        refused = !attempt.registered() && isRefusal(status);
        wasRefusing = refusing;
        refusing = refused;
        try {
          retry = shared.scheduler().schedule(this::open, delay.toMillis(), MILLISECONDS);
        } catch (RejectedExecutionException e) {
          LOG.debug("no retry of the {} stream of socket '{}': the scheduler has stopped", type, socket);
        }
      }
    }
    if (delay == null) {
      LOG.debug("the {} stream of socket '{}' ended: {}", type, socket, NitricCallException.describe(status));
      if (once) {
        if (attempt.registered()) {
          collected.complete(null);
        } else {
          collected.completeExceptionally(new NitricCallException("the Nitric runtime at " + shared.target()
              + " ended the " + type + " stream of socket '" + socket + "' without registering its handler: "
              + NitricCallException.describe(status), status, status.asRuntimeException()));
        }
      }
      closed.complete(null);
      return;
    }
    if (refused) {
      shared.outage().refused(this);
      if (!wasRefusing) {
        LOG.error("the Nitric runtime at {} refused to register the {} handler of socket '{}' ({}); is another "
                + "process registered for it? retrying with backoff", shared.target(), type, socket,
            NitricCallException.describe(status));
      } else {
        LOG.debug("registration of the {} handler of socket '{}' refused again; next try in {} ms", type, socket,
            delay.toMillis());
      }
    } else {
      shared.outage().lost(this, status, delay);
    }
  }

  /** The runtime answered the registration of {@code attempt}. */
  void registered(StreamCall attempt) {
    synchronized (lock) {
      if (current != attempt) {
        return;
      }
      failures = 0;
      refusing = false;
    }
    registrations.incrementAndGet();
    LOG.debug("the {} handler of socket '{}' is registered with {}", type, socket, shared.target());
    firstRegistration.complete(null);
    shared.outage().registered(this, shared.streamCount());
  }

  /** Whether the status ending an unregistered call says the handler is taken by someone else. */
  static boolean isRefusal(Status status) {
    String description = status.getDescription();
    return status.getCode() == Status.Code.ALREADY_EXISTS
        || (description != null && description.toLowerCase(Locale.ROOT).contains("already registered"));
  }
}
