package dev.nitricws.adapters.nitric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.domain.SocketName;
import dev.nitricws.proto.resources.v1.Action;
import dev.nitricws.proto.resources.v1.KeyValueStoreResource;
import dev.nitricws.proto.resources.v1.PolicyResource;
import dev.nitricws.proto.resources.v1.ResourceDeclareRequest;
import dev.nitricws.proto.resources.v1.ResourceDeclareResponse;
import dev.nitricws.proto.resources.v1.ResourceIdentifier;
import dev.nitricws.proto.resources.v1.ResourceType;
import dev.nitricws.proto.resources.v1.ResourcesGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NitricResourcesTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ResourceIdentifier SERVICE =
      ResourceIdentifier.newBuilder().setType(ResourceType.Service).setName("").build();

  private final FakeResources service = new FakeResources();
  @RegisterExtension
  final InProcessGrpc grpc = new InProcessGrpc("nitric-resources", service);

  @Test
  void declaresEachSocketAndStoreWithThePolicyTheOfficialSdkDeclares() {
    NitricResources resources = new NitricResources(grpc.channel());

    assertThat(resources.declare(List.of(SocketName.of("chat"), SocketName.of("news")), List.of("connections"))
        .toCompletableFuture()).succeedsWithin(WAIT);

    ResourceIdentifier chat = id(ResourceType.Websocket, "chat");
    ResourceIdentifier news = id(ResourceType.Websocket, "news");
    ResourceIdentifier store = id(ResourceType.KeyValueStore, "connections");
    assertThat(service.requests).containsExactly(
        ResourceDeclareRequest.newBuilder().setId(chat).build(),
        policy(chat, Action.WebsocketManage),
        ResourceDeclareRequest.newBuilder().setId(news).build(),
        policy(news, Action.WebsocketManage),
        ResourceDeclareRequest.newBuilder().setId(store).setKeyValueStore(KeyValueStoreResource.getDefaultInstance()).build(),
        policy(store, Action.KeyValueStoreRead, Action.KeyValueStoreWrite, Action.KeyValueStoreDelete));
    assertThat(service.requests.get(4).hasKeyValueStore()).isTrue();
    assertThat(service.requests.get(1).getId()).isEqualTo(id(ResourceType.Policy, ""));
  }

  @Test
  void aRefusedDeclarationFailsTheStageNamingTheResource() {
    service.failure = Status.INVALID_ARGUMENT.withDescription("bad name");

    assertThat(new NitricResources(grpc.channel()).declareWebsocket(SocketName.of("chat")).toCompletableFuture())
        .failsWithin(WAIT).withThrowableThat()
        .havingCause().isInstanceOf(NitricCallException.class)
        .withMessageContaining("Websocket 'chat'").withMessageContaining("INVALID_ARGUMENT: bad name");
  }

  @Test
  void aStoreNameThatIsNotAResourceNameIsRefusedAtOnce() {
    NitricResources resources = new NitricResources(grpc.channel());
    assertThatThrownBy(() -> resources.declareKeyValueStore("my/store"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("store name 'my/store'");
  }

  private static ResourceIdentifier id(ResourceType type, String name) {
    return ResourceIdentifier.newBuilder().setType(type).setName(name).build();
  }

  private static ResourceDeclareRequest policy(ResourceIdentifier resource, Action... actions) {
    return ResourceDeclareRequest.newBuilder()
        .setId(id(ResourceType.Policy, ""))
        .setPolicy(PolicyResource.newBuilder().addPrincipals(SERVICE).addAllActions(List.of(actions)).addResources(resource))
        .build();
  }

  /** Records every declaration, or refuses all with {@link #failure}. */
  static final class FakeResources extends ResourcesGrpc.ResourcesImplBase {
    final List<ResourceDeclareRequest> requests = new CopyOnWriteArrayList<>();
    volatile Status failure;

    @Override
    public void declare(ResourceDeclareRequest request, StreamObserver<ResourceDeclareResponse> responses) {
      if (failure != null) {
        responses.onError(failure.asRuntimeException());
        return;
      }
      requests.add(request);
      responses.onNext(ResourceDeclareResponse.getDefaultInstance());
      responses.onCompleted();
    }
  }
}
