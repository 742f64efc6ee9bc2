package dev.nitricws.runtime.gateway;

import static java.util.Objects.requireNonNull;

import dev.nitricws.proto.websockets.v1.WebsocketCloseConnectionRequest;
import dev.nitricws.proto.websockets.v1.WebsocketCloseConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsRequest;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsResponse;
import dev.nitricws.proto.websockets.v1.WebsocketGrpc;
import dev.nitricws.proto.websockets.v1.WebsocketSendRequest;
import dev.nitricws.proto.websockets.v1.WebsocketSendResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Websocket service: send to and close one connection, and the socket's URL. An unknown
 * connection, or one closed for not reading, answers UNKNOWN "could not get connection &lt;id&gt;"
 * like the reference runtime; a send to a connection over its write buffer answers
 * RESOURCE_EXHAUSTED (slow client, message dropped), and one past what a connection still
 * opening holds answers UNAVAILABLE; an undeclared socket answers NOT_FOUND.
 */
public final class WebsocketService extends WebsocketGrpc.WebsocketImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebsocketService.class);

  private final WebsocketGateway gateway;

  public WebsocketService(WebsocketGateway gateway) {
    this.gateway = requireNonNull(gateway, "gateway");
  }

  @Override
  public void sendMessage(WebsocketSendRequest request, StreamObserver<WebsocketSendResponse> responses) {
    answer(gateway.send(request.getSocketName(), request.getConnectionId(), request.getData()),
        WebsocketSendResponse.getDefaultInstance(), responses);
  }

  @Override
  public void closeConnection(
      WebsocketCloseConnectionRequest request, StreamObserver<WebsocketCloseConnectionResponse> responses) {
    answer(gateway.closeConnection(request.getSocketName(), request.getConnectionId()),
        WebsocketCloseConnectionResponse.getDefaultInstance(), responses);
  }

  @Override
  public void socketDetails(WebsocketDetailsRequest request, StreamObserver<WebsocketDetailsResponse> responses) {
    gateway.endpoint(request.getSocketName()).ifPresentOrElse(
        endpoint -> {
          responses.onNext(WebsocketDetailsResponse.newBuilder().setUrl(endpoint.url()).build());
          responses.onCompleted();
        },
        () -> responses.onError(toStatus(new SocketNotDeclaredException(request.getSocketName())).asRuntimeException()));
  }

  private static <T> void answer(CompletableFuture<Void> done, T response, StreamObserver<T> responses) {
    done.whenComplete((ignored, error) -> {
      if (error == null) {
        responses.onNext(response);
        responses.onCompleted();
      } else {
        responses.onError(toStatus(ClientConnection.unwrap(error)).asRuntimeException());
      }
    });
  }

  static Status toStatus(Throwable error) {
    if (error instanceof ConnectionNotFoundException) {
      return Status.UNKNOWN.withDescription(error.getMessage()).withCause(error);
    }
    if (error instanceof ConnectionOpeningException) {
      return Status.UNAVAILABLE.withDescription(error.getMessage()).withCause(error);
    }
    if (error instanceof SocketNotDeclaredException) {
      return Status.NOT_FOUND.withDescription(error.getMessage()).withCause(error);
    }
    if (error instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(error.getMessage()).withCause(error);
    }
    LOG.warn("Websocket call failed", error);
    return Status.INTERNAL.withDescription(String.valueOf(error.getMessage())).withCause(error);
  }
}
