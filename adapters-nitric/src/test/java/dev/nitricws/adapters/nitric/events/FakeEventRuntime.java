package dev.nitricws.adapters.nitric.events;

import com.google.protobuf.ByteString;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.QueryValue;
import dev.nitricws.proto.websockets.v1.RegistrationResponse;
import dev.nitricws.proto.websockets.v1.ServerMessage;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionEvent;
import dev.nitricws.proto.websockets.v1.WebsocketDisconnectionEvent;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketHandlerGrpc;
import dev.nitricws.proto.websockets.v1.WebsocketMessageEvent;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The runtime side of HandleEvents, as the reference runtime behaves: the first message of a
 * stream must register, one handler per (socket, event type) (a second registration ends its
 * stream with "websocket handler already registered"), and every answer is recorded by id.
 */
public final class FakeEventRuntime extends WebsocketHandlerGrpc.WebsocketHandlerImplBase {

  public record Key(String socket, WebsocketEventType type) {}

  /** Registrations accepted, in order. */
  public final List<Key> registrations = new CopyOnWriteArrayList<>();
  /** The first message of every stream opened. */
  public final List<ClientMessage> firstMessages = new CopyOnWriteArrayList<>();
  /** Answers to event requests by id. */
  public final Map<String, List<ClientMessage>> answers = new ConcurrentHashMap<>();
  /** Every answer in arrival order. */
  public final List<ClientMessage> allAnswers = new CopyOnWriteArrayList<>();
  /** Registrations refused because the pair was taken. */
  public final List<Key> refused = new CopyOnWriteArrayList<>();
  /** Streams the client half-closed. */
  public final List<Key> halfClosedByClient = new CopyOnWriteArrayList<>();
  /** Streams the client cancelled or that failed. */
  public final List<Key> failedByClient = new CopyOnWriteArrayList<>();

  private final Map<Key, Stream> current = new ConcurrentHashMap<>();
  private volatile boolean holdRegistrations;
  private volatile boolean endAfterRegistration;
  private final List<Stream> held = Collections.synchronizedList(new ArrayList<>());

  @Override
  public StreamObserver<ClientMessage> handleEvents(StreamObserver<ServerMessage> out) {
    return new Stream(out);
  }

  /**
   * From now on every stream is ended right after its registration is answered, as the Nitric
   * CLI's build-time collector does.
   */
  public void endStreamsAfterRegistration() {
    endAfterRegistration = true;
  }

  /** From now on registrations are recorded but not answered until {@link #releaseRegistrations()}. */
  public void holdRegistrations() {
    holdRegistrations = true;
  }

  public void releaseRegistrations() {
    holdRegistrations = false;
    List<Stream> waiting;
    synchronized (held) {
      waiting = new ArrayList<>(held);
      held.clear();
    }
    waiting.forEach(Stream::acceptRegistration);
  }

  public boolean isRegistered(String socket, WebsocketEventType type) {
    return current.containsKey(new Key(socket, type));
  }

  /** The registered stream of a pair. */
  public Stream stream(String socket, WebsocketEventType type) {
    Stream s = current.get(new Key(socket, type));
    if (s == null) {
      throw new IllegalStateException("no " + type + " handler registered for " + socket);
    }
    return s;
  }

  /** Sends an event request on the stream registered for its kind. */
  public void send(String socket, WebsocketEventType type, ServerMessage message) {
    stream(socket, type).send(message);
  }

  public int answerCount() {
    return allAnswers.size();
  }

  List<ClientMessage> answers(String id) {
    return answers.getOrDefault(id, List.of());
  }

  // ---------------------------------------------------------------- messages

  public static ServerMessage connect(String id, String socket, String connection, Map<String, List<String>> query) {
    WebsocketConnectionEvent.Builder event = WebsocketConnectionEvent.newBuilder();
    query.forEach((k, v) -> event.putQueryParams(k, QueryValue.newBuilder().addAllValue(v).build()));
    return request(id, WebsocketEventRequest.newBuilder().setSocketName(socket).setConnectionId(connection)
        .setConnection(event).build());
  }

  public static ServerMessage disconnect(String id, String socket, String connection) {
    return request(id, WebsocketEventRequest.newBuilder().setSocketName(socket).setConnectionId(connection)
        .setDisconnection(WebsocketDisconnectionEvent.getDefaultInstance()).build());
  }

  public static ServerMessage message(String id, String socket, String connection, String text) {
    return request(id, WebsocketEventRequest.newBuilder().setSocketName(socket).setConnectionId(connection)
        .setMessage(WebsocketMessageEvent.newBuilder().setBody(ByteString.copyFrom(text, StandardCharsets.UTF_8)))
        .build());
  }

  public static ServerMessage request(String id, WebsocketEventRequest request) {
    return ServerMessage.newBuilder().setId(id).setWebsocketEventRequest(request).build();
  }

  /** One HandleEvents call, runtime side. */
  public final class Stream implements StreamObserver<ClientMessage> {
    private final StreamObserver<ServerMessage> out;
    private Key key;
    private boolean first = true;
    private boolean closed;

    Stream(StreamObserver<ServerMessage> out) {
      this.out = out;
    }

    @Override
    public synchronized void onNext(ClientMessage message) {
      if (first) {
        first = false;
        firstMessages.add(message);
        if (!message.hasRegistrationRequest()) {
          end(Status.INVALID_ARGUMENT.withDescription("the first message must be a registration request"));
          return;
        }
        key = new Key(message.getRegistrationRequest().getSocketName(), message.getRegistrationRequest().getEventType());
        if (current.putIfAbsent(key, this) != null) {
          refused.add(key);
          Key refusedKey = key;
          key = null;
          end(Status.UNKNOWN.withDescription("websocket handler already registered for " + refusedKey));
          return;
        }
        if (holdRegistrations) {
          held.add(this);
        } else {
          acceptRegistration();
        }
        return;
      }
      if (message.hasWebsocketEventResponse()) {
        answers.computeIfAbsent(message.getId(), id -> new CopyOnWriteArrayList<>()).add(message);
        allAnswers.add(message);
      }
    }

    public synchronized void acceptRegistration() {
      if (closed) {
        return;
      }
      registrations.add(key);
      out.onNext(ServerMessage.newBuilder().setRegistrationResponse(RegistrationResponse.getDefaultInstance()).build());
      if (endAfterRegistration) {
        closed = true;
        out.onCompleted();
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      if (key != null) {
        failedByClient.add(key);
      }
      forget();
    }

    @Override
    public synchronized void onCompleted() {
      if (key != null) {
        halfClosedByClient.add(key);
      }
      forget();
      if (!closed) {
        closed = true;
        out.onCompleted();
      }
    }

    public synchronized void send(ServerMessage message) {
      out.onNext(message);
    }

    /** The runtime ends the stream normally. */
    public synchronized void complete() {
      forget();
      if (!closed) {
        closed = true;
        out.onCompleted();
      }
    }

    /** The runtime ends the stream with an error. */
    public synchronized void end(Status status) {
      forget();
      if (!closed) {
        closed = true;
        out.onError(status.asRuntimeException());
      }
    }

    private void forget() {
      if (key != null) {
        current.remove(key, this);
      }
    }
  }
}
