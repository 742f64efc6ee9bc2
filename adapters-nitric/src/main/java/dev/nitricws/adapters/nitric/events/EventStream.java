package dev.nitricws.adapters.nitric.events;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.nitricws.adapters.nitric.NitricCallException;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.EventAnswer;
import dev.nitricws.ports.SocketEvents;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.ServerMessage;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketHandlerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HandleEvents stream of a {@link NitricEventSource}: the handler of one event type of one
 * socket. Opens the call, registers, hands every event request to the application and answers
 * it exactly once, and opens a new call with backoff whenever the current one ends, until
 * closed. Each call is an {@link Attempt}; answers to requests of an ended call are dropped (the
 * runtime that sent them has forgotten them).
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
  private Attempt current;
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
      return current != null && current.registered;
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
    Attempt attempt;
    boolean retrying;
    synchronized (lock) {
      retry = null;
      if (closing || current != null) {
        return;
      }
      attempt = new Attempt();
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
    Attempt attempt;
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

  private void ended(Attempt attempt, Status status) {
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
        refused = !attempt.registered && isRefusal(status);
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
        if (attempt.registered) {
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

  private void registered(Attempt attempt) {
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

  /** Names an event for a log line without its payload or query (which may hold secrets). */
  private static String describe(SocketEvent event) {
    String kind = event instanceof SocketEvent.Connect ? "connect"
        : event instanceof SocketEvent.Disconnect ? "disconnect" : "message";
    return kind + " of connection " + event.connectionId() + " on socket '" + event.socket() + "'";
  }

  /** One HandleEvents call. */
  private final class Attempt implements ClientResponseObserver<ClientMessage, ServerMessage> {

    private final AtomicBoolean over = new AtomicBoolean();
    private final ConcurrentHashMap<String, Integer> inFlightIds = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile SerializedWriter<ClientMessage> writer;
    private volatile boolean registered;
    private volatile CompletableFuture<Void> drained;

    void start() {
      try {
        shared.stub().handleEvents(this);
      } catch (RuntimeException e) {
        onError(e);
        return;
      }
      writer.send(EventMapping.registration(socket, type));
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ClientMessage> requestStream) {
      writer = new SerializedWriter<>(requestStream, "the " + type + " stream of socket '" + socket + "'");
    }

    @Override
    public void onNext(ServerMessage message) {
      switch (message.getContentCase()) {
        case REGISTRATION_RESPONSE -> {
          if (!registered) {
            registered = true;
            registered(this);
          }
        }
        case WEBSOCKET_EVENT_REQUEST -> handle(message.getId(), message.getWebsocketEventRequest());
        case CONTENT_NOT_SET -> LOG.warn("a message without content (id '{}') on the {} stream of socket '{}'; ignored",
            LogText.escape(message.getId()), type, socket);
      }
    }

    @Override
    public void onError(Throwable error) {
      end(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
      end(Status.OK.withDescription("the runtime ended the stream"));
    }

    private void end(Status status) {
      if (!over.compareAndSet(false, true)) {
        return;
      }
      SerializedWriter<ClientMessage> w = writer;
      if (w != null) {
        w.markDone();
      }
      int unanswered = pending.get();
      if (unanswered > 0) {
        LOG.debug("the {} stream of socket '{}' ended with {} requests unanswered", type, socket, unanswered);
      }
      ended(this, status);
    }

    /** Answers what is due (up to {@code grace}), half-closes, then cancels after {@code grace}. */
    void finish(Duration grace) {
      CompletableFuture<Void> d = new CompletableFuture<>();
      drained = d;
      if (pending.get() == 0) {
        d.complete(null);
      }
      d.completeOnTimeout(null, grace.toMillis(), MILLISECONDS).whenComplete((v, e) -> {
        SerializedWriter<ClientMessage> w = writer;
        if (w == null) {
          return;
        }
        w.halfClose();
        try {
          shared.scheduler().schedule(() -> w.cancel("the event source is closing"), grace.toMillis(), MILLISECONDS);
        } catch (RejectedExecutionException rejected) {
          w.cancel("the event source is closing");
        }
      });
    }

    private void handle(String id, WebsocketEventRequest request) {
      if (id.isEmpty()) {
        LOG.warn("an event request without an id on the {} stream of socket '{}'; it is handled and answered with "
            + "the same empty id", type, socket);
      } else if (inFlightIds.merge(id, 1, Integer::sum) > 1) {
        LOG.warn("event request id '{}' arrived again on the {} stream of socket '{}' while one with that id is in "
            + "flight; each is handled and answered", LogText.escape(id), type, socket);
      }
      pending.incrementAndGet();
      Reply reply = new Reply(id, EventMapping.isConnect(request, type));
      SocketEvent event;
      try {
        event = EventMapping.toEvent(request);
      } catch (IllegalArgumentException | NullPointerException e) {
        LOG.warn("malformed event request '{}' on the {} stream of socket '{}': {}; answered {}", LogText.escape(id), type, socket,
            LogText.escape(e.getMessage()), reply.connect ? "with a reject" : "plainly");
        reply.fallback();
        return;
      }
      CompletionStage<EventAnswer> stage;
      try {
        stage = shared.events().handle(event);
      } catch (RuntimeException | Error e) {
        LOG.error("the application failed to take the {} (request '{}')", describe(event), LogText.escape(id), e);
        reply.fallback();
        return;
      }
      if (stage == null) {
        LOG.error("the application answered null for the {} (request '{}')", describe(event), LogText.escape(id));
        reply.fallback();
        return;
      }
      stage.whenComplete((answer, error) -> {
        if (error != null) {
          LOG.error("the application failed the {} (request '{}')", describe(event), LogText.escape(id), error);
          reply.fallback();
        } else if (answer == null) {
          LOG.error("the application answered null for the {} (request '{}')", describe(event), LogText.escape(id));
          reply.fallback();
        } else {
          reply.send(answer);
        }
      });
      reply.armTimeout(event);
    }

    /** The one answer to one request. */
    private final class Reply {
      final String id;
      final boolean connect;
      final AtomicBoolean sent = new AtomicBoolean();
      volatile ScheduledFuture<?> timeout;

      Reply(String id, boolean connect) {
        this.id = id;
        this.connect = connect;
      }

      /** The answer when the application gave none: reject a connect, plain otherwise. */
      void fallback() {
        send(connect ? EventAnswer.REJECT : EventAnswer.ACCEPT);
      }

      boolean send(EventAnswer answer) {
        if (!sent.compareAndSet(false, true)) {
          return false;
        }
        ScheduledFuture<?> t = timeout;
        if (t != null) {
          t.cancel(false);
        }
        if (!writer.send(EventMapping.answer(id, answer, connect))) {
          LOG.debug("the {} stream of socket '{}' has ended; the answer to request '{}' was dropped", type, socket, LogText.escape(id));
        }
        if (!id.isEmpty()) {
          inFlightIds.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
        }
        if (pending.decrementAndGet() == 0) {
          CompletableFuture<Void> d = drained;
          if (d != null) {
            d.complete(null);
          }
        }
        return true;
      }

      void armTimeout(SocketEvent event) {
        if (sent.get()) {
          return;
        }
        try {
          timeout = shared.scheduler().schedule(() -> {
            if (send(connect ? EventAnswer.REJECT : EventAnswer.ACCEPT)) {
              LOG.warn("no answer from the application to the {} (request '{}') within {} ms; answered {}",
                  describe(event), LogText.escape(id), shared.answerTimeout().toMillis(), connect ? "with a reject" : "plainly");
            }
          }, shared.answerTimeout().toMillis(), MILLISECONDS);
        } catch (RejectedExecutionException e) {
          LOG.debug("no answer timeout for request '{}': the scheduler has stopped", LogText.escape(id));
        }
        if (sent.get()) {
          ScheduledFuture<?> t = timeout;
          if (t != null) {
            t.cancel(false);
          }
        }
      }
    }
  }
}
