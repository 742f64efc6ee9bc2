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
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NitricResourcesTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ResourceIdentifier SERVICE =
      ResourceIdentifier.newBuilder().setType(ResourceType.Service).setName("").build();

  private final String name = "nitric-resources-" + UUID.randomUUID();
  private final FakeResources service = new FakeResources();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    server = InProcessServerBuilder.forName(name).addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void declaresEachSocketAndStoreWithThePolicyTheOfficialSdkDeclares() {
    NitricResources resources = new NitricResources(channel);

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

    assertThat(new NitricResources(channel).declareWebsocket(SocketName.of("chat")).toCompletableFuture())
        .failsWithin(WAIT).withThrowableThat()
        .havingCause().isInstanceOf(NitricCallException.class)
        .withMessageContaining("Websocket 'chat'").withMessageContaining("INVALID_ARGUMENT: bad name");
  }

  @Test
  void aStoreNameThatIsNotAResourceNameIsRefusedAtOnce() {
    NitricResources resources = new NitricResources(channel);
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
