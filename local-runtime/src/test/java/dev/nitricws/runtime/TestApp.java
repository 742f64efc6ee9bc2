package dev.nitricws.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.nitricws.proto.kvstore.v1.KvStoreGrpc;
import dev.nitricws.proto.resources.v1.ResourceDeclareRequest;
import dev.nitricws.proto.resources.v1.ResourceIdentifier;
import dev.nitricws.proto.resources.v1.ResourceType;
import dev.nitricws.proto.resources.v1.ResourcesGrpc;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.RegistrationRequest;
import dev.nitricws.proto.websockets.v1.ServerMessage;
import dev.nitricws.proto.websockets.v1.WebsocketCloseConnectionRequest;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketGrpc;
import dev.nitricws.proto.websockets.v1.WebsocketHandlerGrpc;
import dev.nitricws.proto.websockets.v1.WebsocketSendRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A fake Nitric application: a real gRPC client of the runtime, as an official SDK would be. */
public final class TestApp implements AutoCloseable {

  public static final Duration WAIT = Duration.ofSeconds(10);

  /** How a stream answers events. */
  public enum Mode { ACCEPT, REJECT, MANUAL }

  private final ManagedChannel channel;
  private final List<EventStream> streams = new ArrayList<>();

  public TestApp(int grpcPort) {
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", grpcPort, InsecureChannelCredentials.create()).build();
  }

  /** An app whose every call carries {@code authorization: <authorization>}. */
  public TestApp(int grpcPort, String authorization) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", grpcPort, InsecureChannelCredentials.create())
        .intercept(MetadataUtils.newAttachHeadersInterceptor(headers))
        .build();
  }

  /** The channel to the runtime, for stubs of the test's own. */
  public ManagedChannel channel() {
    return channel;
  }

  public WebsocketGrpc.WebsocketBlockingStub websocket() {
    return WebsocketGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public KvStoreGrpc.KvStoreBlockingStub kv() {
    return KvStoreGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  public KvStoreGrpc.KvStoreStub kvAsync() {
    return KvStoreGrpc.newStub(channel);
  }

  public ResourcesGrpc.ResourcesBlockingStub resources() {
    return ResourcesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public void declareWebsocket(String name) {
    resources().declare(ResourceDeclareRequest.newBuilder()
        .setId(ResourceIdentifier.newBuilder().setType(ResourceType.Websocket).setName(name))
        .build());
  }

  /** Opens a HandleEvents stream without registering it. */
  public EventStream openStream(Mode mode) {
    EventStream stream = new EventStream(mode);
    stream.requests = WebsocketHandlerGrpc.newStub(channel).handleEvents(stream);
    synchronized (streams) {
      streams.add(stream);
    }
    return stream;
  }

  /** Opens a stream, registers it and waits for the registration answer. */
  public EventStream register(String socket, WebsocketEventType type, Mode mode) {
    EventStream stream = openStream(mode);
    stream.send(ClientMessage.newBuilder()
        .setId("reg-" + socket + "-" + type)
        .setRegistrationRequest(RegistrationRequest.newBuilder().setSocketName(socket).setEventType(type))
        .build());
    ServerMessage answer = stream.registered.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(answer.getId()).isEqualTo("reg-" + socket + "-" + type);
    return stream;
  }

  /** Sends {@code data} to a connection without waiting; completes with the call's status (deadline 20 s). */
  public CompletableFuture<Status> sendAsync(String socket, String connectionId, ByteString data) {
    CompletableFuture<Status> done = new CompletableFuture<>();
    WebsocketGrpc.newStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).sendMessage(
        WebsocketSendRequest.newBuilder().setSocketName(socket).setConnectionId(connectionId).setData(data).build(),
        statusInto(done));
    return done;
  }

  /** Closes a connection without waiting; completes with the call's status (deadline 20 s). */
  public CompletableFuture<Status> closeAsync(String socket, String connectionId) {
    CompletableFuture<Status> done = new CompletableFuture<>();
    WebsocketGrpc.newStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).closeConnection(
        WebsocketCloseConnectionRequest.newBuilder().setSocketName(socket).setConnectionId(connectionId).build(),
        statusInto(done));
    return done;
  }

  /** An observer of a unary call that completes {@code done} with the call's status. */
  private static <T> StreamObserver<T> statusInto(CompletableFuture<Status> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        done.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        done.complete(Status.OK);
      }
    };
  }

  @Override
  public void close() {
    synchronized (streams) {
      streams.forEach(EventStream::cancelQuietly);
    }
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One event received by the app, with the id it must answer. */
  public record Event(String id, WebsocketEventRequest request) {}

  /** One HandleEvents stream of the app. */
  public static final class EventStream implements StreamObserver<ServerMessage> {
    private final Mode mode;
    public final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    public final CompletableFuture<ServerMessage> registered = new CompletableFuture<>();
    /** Completes with OK when the runtime completes the stream, or with the error status. */
    public final CompletableFuture<Status> ended = new CompletableFuture<>();
    private StreamObserver<ClientMessage> requests;

    public EventStream(Mode mode) {
      this.mode = mode;
    }

    @Override
    public void onNext(ServerMessage message) {
      if (message.hasRegistrationResponse()) {
        registered.complete(message);
        return;
      }
      events.add(new Event(message.getId(), message.getWebsocketEventRequest()));
      if (mode != Mode.MANUAL) {
        answer(message.getId(), mode == Mode.REJECT);
      }
    }

    @Override
    public void onError(Throwable error) {
      Status status = Status.fromThrowable(error);
      registered.completeExceptionally(error);
      ended.complete(status);
    }

    @Override
    public void onCompleted() {
      ended.complete(Status.OK);
    }

    public synchronized void send(ClientMessage message) {
      requests.onNext(message);
    }

    public void answer(String id, boolean reject) {
      answer(id, WebsocketConnectionResponse.newBuilder().setReject(reject).build());
    }

    /** Answers {@code id} with {@code response} (e.g. a reject with nitric-ws's status and reason). */
    public void answer(String id, WebsocketConnectionResponse response) {
      send(ClientMessage.newBuilder()
          .setId(id)
          .setWebsocketEventResponse(WebsocketEventResponse.newBuilder().setConnectionResponse(response))
          .build());
    }

    /** The next event, failing the test after 10 s. */
    public Event next() throws InterruptedException {
      Event event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(event).as("an event within %s", WAIT).isNotNull();
      return event;
    }

    public synchronized void complete() {
      requests.onCompleted();
    }

    public synchronized void cancelQuietly() {
      try {
        requests.onError(Status.CANCELLED.withDescription("test over").asRuntimeException());
      } catch (RuntimeException ignored) {
        // already closed
      }
    }
  }
}
