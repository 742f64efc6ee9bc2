package dev.nitricws.runtime.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.proto.resources.v1.Action;
import dev.nitricws.proto.resources.v1.KeyValueStoreResource;
import dev.nitricws.proto.resources.v1.PolicyResource;
import dev.nitricws.proto.resources.v1.ResourceDeclareRequest;
import dev.nitricws.proto.resources.v1.ResourceIdentifier;
import dev.nitricws.proto.resources.v1.ResourceType;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.RuntimeAndApp;
import dev.nitricws.runtime.TestApp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Declarations: what they record and which ports they open. */
class ResourcesServiceTest {

  @RegisterExtension
  final RuntimeAndApp local = new RuntimeAndApp();
  private LocalRuntime runtime;
  private TestApp app;

  private void start(int firstWebsocketPort) {
    local.start(settings -> settings.firstWebsocketPort(firstWebsocketPort));
    runtime = local.runtime();
    app = local.app();
  }

  @Test
  void websocketDeclarationOpensItsPortOnceAndIsRecorded() {
    start(0);

    app.declareWebsocket("chat");
    int port = runtime.websocketPort("chat");
    app.declareWebsocket("chat");

    assertThat(runtime.websocketPort("chat")).isEqualTo(port);
    assertThat(runtime.declaredResources().websockets()).containsExactly("chat");
  }

  @Test
  void aHandlerRegistrationOpensItsSocketWithoutADeclaration() {
    // as the reference runtime: an app that registers again after a runtime restart is served
    start(0);

    app.register("late", dev.nitricws.proto.websockets.v1.WebsocketEventType.Connect, TestApp.Mode.ACCEPT);

    org.awaitility.Awaitility.await().atMost(TestApp.WAIT)
        .untilAsserted(() -> assertThat(runtime.websocketPort("late")).isPositive());
    assertThat(runtime.websockets()).contains("late");
  }

  @Test
  void keyValueStoreAndPolicyDeclarationsAreRecorded() {
    start(0);
    PolicyResource policy = PolicyResource.newBuilder()
        .addPrincipals(ResourceIdentifier.newBuilder().setType(ResourceType.Service))
        .addActions(Action.KeyValueStoreRead)
        .addActions(Action.KeyValueStoreWrite)
        .addActions(Action.KeyValueStoreDelete)
        .addResources(ResourceIdentifier.newBuilder().setType(ResourceType.KeyValueStore).setName("connections"))
        .build();

    app.resources().declare(ResourceDeclareRequest.newBuilder()
        .setId(ResourceIdentifier.newBuilder().setType(ResourceType.KeyValueStore).setName("connections"))
        .setKeyValueStore(KeyValueStoreResource.getDefaultInstance())
        .build());
    app.resources().declare(ResourceDeclareRequest.newBuilder()
        .setId(ResourceIdentifier.newBuilder().setType(ResourceType.Policy))
        .setPolicy(policy)
        .build());
    app.resources().declare(ResourceDeclareRequest.newBuilder()
        .setId(ResourceIdentifier.newBuilder().setType(ResourceType.Api).setName("public"))
        .build());

    DeclaredResources declared = runtime.declaredResources();
    assertThat(declared.keyValueStores()).containsExactly("connections");
    assertThat(declared.policies()).containsExactly(policy);
    assertThat(declared.websockets()).isEmpty();
  }

  @Test
  void declarationsWithoutANameOrIdAreInvalid() {
    start(0);

    assertInvalid(ResourceDeclareRequest.newBuilder()
        .setId(ResourceIdentifier.newBuilder().setType(ResourceType.Websocket))
        .build());
    assertInvalid(ResourceDeclareRequest.newBuilder()
        .setId(ResourceIdentifier.newBuilder().setType(ResourceType.KeyValueStore))
        .build());
    assertInvalid(ResourceDeclareRequest.newBuilder()
        .setId(ResourceIdentifier.newBuilder().setType(ResourceType.Policy))
        .build());
    assertInvalid(ResourceDeclareRequest.getDefaultInstance());
  }

  @Test
  void firstSocketTakesTheConfiguredPortOrTheNextFreeOneAndLaterSocketsFollow() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int busy = taken.getLocalPort();
      start(busy);

      app.declareWebsocket("first");
      app.declareWebsocket("second");

      int first = runtime.websocketPort("first");
      assertThat(first).isGreaterThan(busy);
      assertThat(runtime.websocketPort("second")).isGreaterThan(first);
    }
  }

  @Test
  void embedderCanDeclareASocketAndUndeclaredSocketsAreNamedInTheError() {
    start(0);

    int port = runtime.declareWebsocket("embedded");

    assertThat(runtime.websocketPort("embedded")).isEqualTo(port).isPositive();
    assertThatThrownBy(() -> runtime.websocketPort("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope' is not declared");
  }

  private void assertInvalid(ResourceDeclareRequest request) {
    assertThatThrownBy(() -> app.resources().declare(request))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }
}
