package dev.nitricws.runtime.handlers;

import static java.util.Objects.requireNonNull;

import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.ServerMessage;
import dev.nitricws.proto.websockets.v1.WebsocketHandlerGrpc;
import io.grpc.stub.StreamObserver;

/** The WebsocketHandler service: every HandleEvents stream goes to the {@link HandlerRegistry}. */
public final class WebsocketHandlerService extends WebsocketHandlerGrpc.WebsocketHandlerImplBase {

  private final HandlerRegistry registry;

  public WebsocketHandlerService(HandlerRegistry registry) {
    this.registry = requireNonNull(registry, "registry");
  }

  @Override
  public StreamObserver<ClientMessage> handleEvents(StreamObserver<ServerMessage> responses) {
    return registry.open(responses);
  }
}
