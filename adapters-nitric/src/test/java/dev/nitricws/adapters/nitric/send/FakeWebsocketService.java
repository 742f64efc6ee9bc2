package dev.nitricws.adapters.nitric.send;

import dev.nitricws.proto.websockets.v1.WebsocketCloseConnectionRequest;
import dev.nitricws.proto.websockets.v1.WebsocketCloseConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsRequest;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsResponse;
import dev.nitricws.proto.websockets.v1.WebsocketGrpc;
import dev.nitricws.proto.websockets.v1.WebsocketSendRequest;
import dev.nitricws.proto.websockets.v1.WebsocketSendResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The runtime's Websocket service: delivers, or fails with the status set for a connection. */
public final class FakeWebsocketService extends WebsocketGrpc.WebsocketImplBase {
  /** A status that means: never answer. */
  public static final Status NEVER = Status.fromCodeValue(Status.Code.OK.value()).withDescription("never answer");

  public final Map<String, Status> failures = new ConcurrentHashMap<>();
  /** Errors with status details, by connection id; checked before {@link #failures}. */
  public final Map<String, StatusRuntimeException> errors = new ConcurrentHashMap<>();
  public final List<WebsocketSendRequest> sent = new CopyOnWriteArrayList<>();
  public final List<WebsocketCloseConnectionRequest> closed = new CopyOnWriteArrayList<>();

  @Override
  public void sendMessage(WebsocketSendRequest request, StreamObserver<WebsocketSendResponse> responses) {
    if (answer(request.getConnectionId(), responses)) {
      sent.add(request);
      responses.onNext(WebsocketSendResponse.getDefaultInstance());
      responses.onCompleted();
    }
  }

  @Override
  public void closeConnection(WebsocketCloseConnectionRequest request,
      StreamObserver<WebsocketCloseConnectionResponse> responses) {
    if (answer(request.getConnectionId(), responses)) {
      closed.add(request);
      responses.onNext(WebsocketCloseConnectionResponse.getDefaultInstance());
      responses.onCompleted();
    }
  }

  @Override
  public void socketDetails(WebsocketDetailsRequest request, StreamObserver<WebsocketDetailsResponse> responses) {
    if (request.getSocketName().equals("chat")) {
      responses.onNext(WebsocketDetailsResponse.newBuilder().setUrl("wss://abc.example/chat").build());
      responses.onCompleted();
    } else {
      responses.onError(Status.NOT_FOUND.withDescription("no socket " + request.getSocketName()).asRuntimeException());
    }
  }

  /** True when the call should succeed. */
  private boolean answer(String connection, StreamObserver<?> responses) {
    StatusRuntimeException error = errors.get(connection);
    if (error != null) {
      responses.onError(error);
      return false;
    }
    Status failure = failures.get(connection);
    if (failure == null) {
      return true;
    }
    if (failure != NEVER) {
      responses.onError(failure.asRuntimeException());
    }
    return false;
  }
}
