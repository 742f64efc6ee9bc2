package dev.nitricws.runtime.handlers;

import static java.util.Objects.requireNonNull;

import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.RegistrationRequest;
import dev.nitricws.proto.websockets.v1.RegistrationResponse;
import dev.nitricws.proto.websockets.v1.ServerMessage;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.checks.PositiveDuration;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HandleEvents streams of the application, grouped by (socket, event type).
 *
 * <p>Unlike the reference runtime, several streams may register the same pair; events are spread
 * across them round-robin, so several application instances can serve one socket. A stream that
 * ends leaves its group at once; events it had not answered fail with
 * {@link HandlerUnavailableException}. Thread-safe.
 */
public final class HandlerRegistry implements EventDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(HandlerRegistry.class);

  private final long handlerTimeoutNanos;
  private final Consumer<String> onRegistered;
  private final AtomicLong eventIds = new AtomicLong();
  private final Map<HandlerKey, HandlerGroup> groups = new ConcurrentHashMap<>();
  private final Set<HandlerStream> streams = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @param onRegistered told the socket's name whenever a stream registers for it (the gateway
   *     opens the socket's port then, as the reference runtime does, so an application that
   *     registers again after a runtime restart is served without declaring again)
   */
  public HandlerRegistry(Duration handlerTimeout, Consumer<String> onRegistered) {
    this.handlerTimeoutNanos = PositiveDuration.require("handlerTimeout", handlerTimeout).toNanos();
    this.onRegistered = requireNonNull(onRegistered, "onRegistered");
  }

  /** Accepts a new HandleEvents stream; its first message must register it. */
  StreamObserver<ClientMessage> open(StreamObserver<ServerMessage> responses) {
    ServerCallStreamObserver<ServerMessage> call = (ServerCallStreamObserver<ServerMessage>) responses;
    HandlerStream stream = new HandlerStream(call);
    call.setOnCancelHandler(stream::cancelled);
    streams.add(stream);
    if (closed) {
      stream.refuse(Status.UNAVAILABLE.withDescription("the local runtime is shutting down"));
    }
    return stream;
  }

  /** How many streams are registered for this socket and event type right now. */
  public int handlerCount(String socketName, WebsocketEventType type) {
    HandlerGroup group = groups.get(new HandlerKey(socketName, type));
    return group == null ? 0 : group.members.size();
  }

  @Override
  public CompletableFuture<Optional<WebsocketEventResponse>> dispatch(
      WebsocketEventType type, WebsocketEventRequest event) {
    HandlerGroup group = groups.get(new HandlerKey(event.getSocketName(), type));
    HandlerStream stream = group == null ? null : group.pick();
    if (stream == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return stream.send(event);
  }

  /** Ends every stream (the application sees its streams complete); later streams are refused. */
  public void close() {
    closed = true;
    for (HandlerStream stream : List.copyOf(streams)) {
      stream.shutdown();
    }
  }

  /** The pair a stream registers for. */
  private record HandlerKey(String socketName, WebsocketEventType eventType) {}

  /** The streams registered for one pair, picked round-robin. */
  private static final class HandlerGroup {
    private final CopyOnWriteArrayList<HandlerStream> members = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    HandlerStream pick() {
      while (true) {
        int size = members.size();
        if (size == 0) {
          return null;
        }
        try {
          return members.get(Math.floorMod(next.getAndIncrement(), size));
        } catch (IndexOutOfBoundsException shrunkMeanwhile) {
          // a member left between size() and get(); try again with the new size
        }
      }
    }
  }

  /** One HandleEvents stream: registration, outgoing events and their answers. */
  private final class HandlerStream implements StreamObserver<ClientMessage> {
    private final ServerCallStreamObserver<ServerMessage> call;
    private final Map<String, CompletableFuture<Optional<WebsocketEventResponse>>> pending =
        new ConcurrentHashMap<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Set once by the first message; read by other threads only through the group. */
    private volatile HandlerKey key;
    /** Guarded by this: no onNext/onCompleted/onError after the outbound side is closed. */
    private boolean outboundClosed;

    HandlerStream(ServerCallStreamObserver<ServerMessage> call) {
      this.call = call;
    }

    @Override
    public void onNext(ClientMessage message) {
      if (ended.get()) {
        return;
      }
      switch (message.getContentCase()) {
        case REGISTRATION_REQUEST -> register(message.getId(), message.getRegistrationRequest());
        case WEBSOCKET_EVENT_RESPONSE -> answer(message.getId(), message.getWebsocketEventResponse());
        default -> {
          if (key == null) {
            refuse(Status.INVALID_ARGUMENT.withDescription(
                "the first ClientMessage on a HandleEvents stream must carry a registration_request,"
                    + " got an empty message"));
          } else {
            LOG.warn("Ignoring a ClientMessage without content (id '{}') on the handler stream for"
                + " socket '{}' event {}", message.getId(), key.socketName(), key.eventType());
          }
        }
      }
    }

    @Override
    public void onError(Throwable error) {
      LOG.debug("Handler stream failed: {}", Status.fromThrowable(error));
      end();
      synchronized (this) {
        outboundClosed = true;
      }
    }

    @Override
    public void onCompleted() {
      end();
      closeOutbound(null);
    }

    private void register(String id, RegistrationRequest request) {
      HandlerKey current = key;
      if (current != null) {
        refuse(Status.FAILED_PRECONDITION.withDescription(String.format(
            "this HandleEvents stream is already registered for socket '%s' event %s;"
                + " open one stream per registration", current.socketName(), current.eventType())));
        return;
      }
      if (request.getSocketName().isEmpty()) {
        refuse(Status.INVALID_ARGUMENT.withDescription(
            "registration_request.socket_name must not be empty"));
        return;
      }
      if (request.getEventType() == WebsocketEventType.UNRECOGNIZED) {
        refuse(Status.INVALID_ARGUMENT.withDescription(String.format(
            "registration_request.event_type %d is not Connect(0), Disconnect(1) or Message(2)",
            request.getEventTypeValue())));
        return;
      }
      HandlerKey registered = new HandlerKey(request.getSocketName(), request.getEventType());
      key = registered;
      HandlerGroup group = groups.computeIfAbsent(registered, k -> new HandlerGroup());
      // join the group and answer under this stream's lock, which every write takes: an event
      // routed here meanwhile waits for the answer, so the application sees the registration
      // first, and whoever saw the answer sees the stream counted
      synchronized (this) {
        group.members.add(this);
        if (!trySend(ServerMessage.newBuilder()
            .setId(id)
            .setRegistrationResponse(RegistrationResponse.getDefaultInstance())
            .build())) {
          group.members.remove(this);
          end();
          return;
        }
      }
      if (ended.get()) {
        group.members.remove(this);
        return;
      }
      LOG.info("Handler registered for socket '{}' event {} ({} stream(s) for this pair)",
          registered.socketName(), registered.eventType(), group.members.size());
      if (closed) {
        shutdown();
      } else {
        onRegistered.accept(registered.socketName());
      }
    }

    private void answer(String id, WebsocketEventResponse response) {
      HandlerKey current = key;
      if (current == null) {
        refuse(Status.INVALID_ARGUMENT.withDescription(
            "the first ClientMessage on a HandleEvents stream must carry a registration_request,"
                + " got a websocket_event_response"));
        return;
      }
      CompletableFuture<Optional<WebsocketEventResponse>> waiting = pending.remove(id);
      if (waiting == null) {
        LOG.warn("Answer with an unknown or expired event id '{}' on the handler stream for socket"
            + " '{}' event {}; ignored", id, current.socketName(), current.eventType());
        return;
      }
      waiting.complete(Optional.of(response));
    }

    CompletableFuture<Optional<WebsocketEventResponse>> send(WebsocketEventRequest event) {
      String id = Long.toString(eventIds.incrementAndGet());
      CompletableFuture<Optional<WebsocketEventResponse>> answer = new CompletableFuture<>();
      pending.put(id, answer);
      if (ended.get()) {
        pending.remove(id);
        answer.completeExceptionally(new HandlerUnavailableException(describe() + " has ended"));
        return answer;
      }
      if (!trySend(ServerMessage.newBuilder().setId(id).setWebsocketEventRequest(event).build())) {
        pending.remove(id);
        answer.completeExceptionally(new HandlerUnavailableException(describe() + " has ended"));
        return answer;
      }
      answer.orTimeout(handlerTimeoutNanos, TimeUnit.NANOSECONDS)
          .whenComplete((response, error) -> pending.remove(id, answer));
      return answer;
    }

    private synchronized boolean trySend(ServerMessage message) {
      if (outboundClosed || call.isCancelled()) {
        return false;
      }
      try {
        call.onNext(message);
        return true;
      } catch (RuntimeException e) {
        LOG.debug("Could not write to {}: {}", describe(), e.toString());
        return false;
      }
    }

    private synchronized void closeOutbound(Status error) {
      if (outboundClosed) {
        return;
      }
      outboundClosed = true;
      try {
        if (error == null) {
          call.onCompleted();
        } else {
          call.onError(error.asRuntimeException());
        }
      } catch (RuntimeException e) {
        LOG.debug("Could not close {}: {}", describe(), e.toString());
      }
    }

    /** Ends the stream with an error the application sees (a protocol mistake on its side). */
    void refuse(Status status) {
      LOG.warn("Ending a HandleEvents stream: {}", status.getDescription());
      end();
      closeOutbound(status);
    }

    void cancelled() {
      end();
      synchronized (this) {
        outboundClosed = true;
      }
    }

    void shutdown() {
      end();
      closeOutbound(null);
    }

    /** Leaves the group and fails what is unanswered; runs once. */
    private void end() {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      streams.remove(this);
      HandlerKey current = key;
      if (current != null) {
        HandlerGroup group = groups.get(current);
        if (group != null) {
          group.members.remove(this);
          LOG.info("Handler stream for socket '{}' event {} ended ({} stream(s) left for this pair)",
              current.socketName(), current.eventType(), group.members.size());
        }
      }
      for (String id : List.copyOf(pending.keySet())) {
        CompletableFuture<Optional<WebsocketEventResponse>> waiting = pending.remove(id);
        if (waiting != null) {
          waiting.completeExceptionally(
              new HandlerUnavailableException(describe() + " ended before answering event " + id));
        }
      }
    }

    private String describe() {
      HandlerKey current = key;
      return current == null
          ? "an unregistered handler stream"
          : "the handler stream for socket '" + current.socketName() + "' event " + current.eventType();
    }
  }
}
