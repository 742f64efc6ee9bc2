package dev.nitricws.adapters.nitric.events;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.nitricws.domain.LogText;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.EventAnswer;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event requests of one {@link StreamCall}: hands each to the application and answers it
 * exactly once, with the application's answer or, when the request is malformed or the
 * application fails, answers null or does not answer in time, with a fallback (a reject for a
 * connect, a plain answer otherwise). Counts the requests still unanswered, so that a closing
 * call can wait until they are.
 */
final class EventDispatch {

  private static final Logger LOG = LoggerFactory.getLogger(NitricEventSource.class);

  private final EventStream.Shared shared;
  private final SocketName socket;
  private final WebsocketEventType type;
  private final ConcurrentHashMap<String, Integer> inFlightIds = new ConcurrentHashMap<>();
  private final AtomicInteger pending = new AtomicInteger();
  private volatile CompletableFuture<Void> drained;

  EventDispatch(EventStream.Shared shared, SocketName socket, WebsocketEventType type) {
    this.shared = shared;
    this.socket = socket;
    this.type = type;
  }

  /** How many requests are not answered yet. */
  int pending() {
    return pending.get();
  }

  /** Completes once every request handed so far has been answered (at once if none is pending). */
  CompletableFuture<Void> drained() {
    CompletableFuture<Void> d = new CompletableFuture<>();
    drained = d;
    if (pending.get() == 0) {
      d.complete(null);
    }
    return d;
  }

  /** Hands the request {@code id} to the application; its answer goes to {@code writer}. */
  void handle(SerializedWriter<ClientMessage> writer, String id, WebsocketEventRequest request) {
    if (id.isEmpty()) {
      LOG.warn("an event request without an id on the {} stream of socket '{}'; it is handled and answered with "
          + "the same empty id", type, socket);
    } else if (inFlightIds.merge(id, 1, Integer::sum) > 1) {
      LOG.warn("event request id '{}' arrived again on the {} stream of socket '{}' while one with that id is in "
          + "flight; each is handled and answered", LogText.escape(id), type, socket);
    }
    pending.incrementAndGet();
    Reply reply = new Reply(writer, id, EventMapping.isConnect(request, type));
    SocketEvent event;
    try {
      event = EventMapping.toEvent(request, socket);
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
      LOG.error("the application failed to take the {} (request '{}')", event.describe(), LogText.escape(id), e);
      reply.fallback();
      return;
    }
    if (stage == null) {
      LOG.error("the application answered null for the {} (request '{}')", event.describe(), LogText.escape(id));
      reply.fallback();
      return;
    }
    stage.whenComplete((answer, error) -> {
      if (error != null) {
        LOG.error("the application failed the {} (request '{}')", event.describe(), LogText.escape(id), error);
        reply.fallback();
      } else if (answer == null) {
        LOG.error("the application answered null for the {} (request '{}')", event.describe(), LogText.escape(id));
        reply.fallback();
      } else {
        reply.send(answer);
      }
    });
    reply.armTimeout(event);
  }

  /** The one answer to one request. */
  private final class Reply {
    final SerializedWriter<ClientMessage> writer;
    final String id;
    final boolean connect;
    final AtomicBoolean sent = new AtomicBoolean();
    volatile ScheduledFuture<?> timeout;

    Reply(SerializedWriter<ClientMessage> writer, String id, boolean connect) {
      this.writer = writer;
      this.id = id;
      this.connect = connect;
    }

    /** The answer when the application gave none: reject a connect, plain otherwise. */
    void fallback() {
      send(connect ? EventAnswer.FAILED : EventAnswer.ACCEPT);
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
          if (send(connect ? EventAnswer.FAILED : EventAnswer.ACCEPT)) {
            LOG.warn("no answer from the application to the {} (request '{}') within {} ms; answered {}",
                event.describe(), LogText.escape(id), shared.answerTimeout().toMillis(), connect ? "with a reject" : "plainly");
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
