package dev.nitricws.adapters.nitric.events;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.nitricws.domain.LogText;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.ServerMessage;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HandleEvents call of an {@link EventStream}: sends the registration, tells the stream when
 * the runtime has answered it and when the call has ended (once), hands each event request to
 * its {@link EventDispatch}, and on close half-closes and cancels the call once what is due has
 * been answered.
 */
final class StreamCall implements ClientResponseObserver<ClientMessage, ServerMessage> {

  private static final Logger LOG = LoggerFactory.getLogger(NitricEventSource.class);

  private final EventStream stream;
  private final EventStream.Shared shared;
  private final EventDispatch dispatch;
  private final AtomicBoolean over = new AtomicBoolean();
  private volatile SerializedWriter<ClientMessage> writer;
  private volatile boolean registered;

  StreamCall(EventStream stream, EventStream.Shared shared) {
    this.stream = stream;
    this.shared = shared;
    this.dispatch = new EventDispatch(shared, stream.socket(), stream.type());
  }

  /** Whether the runtime has answered this call's registration. */
  boolean registered() {
    return registered;
  }

  /** Opens the call and sends the registration. */
  void start() {
    try {
      shared.stub().handleEvents(this);
    } catch (RuntimeException e) {
      onError(e);
      return;
    }
    writer.send(EventMapping.registration(stream.socket(), stream.type()));
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ClientMessage> requestStream) {
    writer = new SerializedWriter<>(requestStream, "the " + stream.type() + " stream of socket '" + stream.socket() + "'");
  }

  @Override
  public void onNext(ServerMessage message) {
    switch (message.getContentCase()) {
      case REGISTRATION_RESPONSE -> {
        if (!registered) {
          registered = true;
          stream.registered(this);
        }
      }
      case WEBSOCKET_EVENT_REQUEST -> dispatch.handle(writer, message.getId(), message.getWebsocketEventRequest());
      case CONTENT_NOT_SET -> LOG.warn("a message without content (id '{}') on the {} stream of socket '{}'; ignored",
          LogText.escape(message.getId()), stream.type(), stream.socket());
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
    int unanswered = dispatch.pending();
    if (unanswered > 0) {
      LOG.debug("the {} stream of socket '{}' ended with {} requests unanswered", stream.type(), stream.socket(),
          unanswered);
    }
    stream.ended(this, status);
  }

  /** Answers what is due (up to {@code grace}), half-closes, then cancels after {@code grace}. */
  void finish(Duration grace) {
    dispatch.drained().completeOnTimeout(null, grace.toMillis(), MILLISECONDS).whenComplete((v, e) -> {
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
}
