package dev.nitricws.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.proto.resources.v1.ResourceDeclareRequest;
import dev.nitricws.proto.resources.v1.ResourceIdentifier;
import dev.nitricws.proto.resources.v1.ResourceType;
import dev.nitricws.proto.resources.v1.ResourcesGrpc;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsRequest;
import dev.nitricws.proto.websockets.v1.WebsocketGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The runtime serves its services in-process too, for an app in the same JVM, and stops them when it closes. */
class InProcessServingTest {

  @Test
  void anAppInTheSameJvmReachesTheRuntimeInProcess() throws Exception {
    String name;
    ManagedChannel channel;
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start()) {
      name = runtime.inProcessName();
      channel = InProcessChannelBuilder.forName(name).build();
      ResourcesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).declare(
          ResourceDeclareRequest.newBuilder()
              .setId(ResourceIdentifier.newBuilder().setType(ResourceType.Websocket).setName("chat"))
              .build());

      String url = WebsocketGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .socketDetails(WebsocketDetailsRequest.newBuilder().setSocketName("chat").build()).getUrl();

      assertThat(url).isEqualTo("ws://127.0.0.1:" + runtime.websocketPort("chat"));
    }
    assertThatThrownBy(() -> WebsocketGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .socketDetails(WebsocketDetailsRequest.newBuilder().setSocketName("chat").build()))
        .as("served no longer once the runtime has closed")
        .isInstanceOf(StatusRuntimeException.class);
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    assertThat(name).startsWith("nitric-ws-local-runtime-");
  }
}
