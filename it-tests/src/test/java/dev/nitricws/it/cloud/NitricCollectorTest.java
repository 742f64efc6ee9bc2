package dev.nitricws.it.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.it.cloud.NitricCollector.Refusal;
import dev.nitricws.it.cloud.NitricCollector.Registration;
import dev.nitricws.proto.kvstore.v1.KvStoreGetValueRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreGrpc;
import dev.nitricws.proto.resources.v1.Action;
import dev.nitricws.proto.resources.v1.PolicyResource;
import dev.nitricws.proto.resources.v1.ResourceDeclareRequest;
import dev.nitricws.proto.resources.v1.ResourceIdentifier;
import dev.nitricws.proto.resources.v1.ResourceType;
import dev.nitricws.proto.resources.v1.ResourcesGrpc;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.RegistrationRequest;
import dev.nitricws.proto.websockets.v1.ServerMessage;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketHandlerGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The collector stand-in flags what the Nitric CLI's collector flags and ends streams as it does,
 * so that {@link BuildCollectionIT} cannot pass on a stand-in that accepts anything.
 */
class NitricCollectorTest {

  private NitricCollector collector;
  private ManagedChannel channel;

  @AfterEach
  void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    collector.close();
  }

  @Test
  void aNameThatIsNotLowerKebabCaseIsAnErrorWithTheCliSuggestion() {
    start(Refusal.NOTHING);

    declare(ResourceType.Websocket, "Chat_Room");
    declare(ResourceType.KeyValueStore, "chat-room-2");

    assertThat(collector.errors()).containsExactly("Invalid Name: 'Chat_Room' for Websocket try 'chat-room'");
    assertThat(NitricCollector.kebab("ChatRoom")).isEqualTo("chat-room");
  }

  @Test
  void aPolicyForThisServiceGetsTheServiceName() {
    start(Refusal.NOTHING);
    ResourceIdentifier socket = ResourceIdentifier.newBuilder().setType(ResourceType.Websocket).setName("chat").build();

    ResourcesGrpc.newBlockingStub(channel).declare(ResourceDeclareRequest.newBuilder()
        .setId(ResourceIdentifier.newBuilder().setType(ResourceType.Policy))
        .setPolicy(PolicyResource.newBuilder()
            .addPrincipals(ResourceIdentifier.newBuilder().setType(ResourceType.Service))
            .addActions(Action.WebsocketManage)
            .addResources(socket))
        .build());

    assertThat(collector.declarations()).map(Object::toString)
        .containsExactly("Policy [WebsocketManage] on Websocket chat for Service svc");
    assertThat(collector.errors()).isEmpty();
  }

  @Test
  void eachStreamEndsAfterItsRegistrationIsAnsweredAndASecondRegistrationIsAnError() throws Exception {
    start(Refusal.NOTHING);

    Stream first = register("chat", WebsocketEventType.Connect);
    Stream second = register("chat", WebsocketEventType.Connect);

    assertAnsweredThenEnded(first);
    assertAnsweredThenEnded(second);
    assertThat(collector.streamsOpened()).isEqualTo(2);
    assertThat(collector.registrations()).containsExactly(new Registration("chat", WebsocketEventType.Connect));
    assertThat(collector.errors()).containsExactly("'Connect' handler already registered for websocket 'chat'");
  }

  @Test
  void aStreamThatDoesNotStartWithARegistrationEndsWithAnError() throws Exception {
    start(Refusal.NOTHING);
    Stream stream = new Stream();
    WebsocketHandlerGrpc.newStub(channel).handleEvents(stream).onNext(ClientMessage.newBuilder().setId("1").build());

    assertThat(stream.next()).isInstanceOfSatisfying(Status.class, status -> {
      assertThat(status.getCode()).isEqualTo(Status.Code.UNKNOWN);
      assertThat(status.getDescription()).isEqualTo("first message must be a registration request");
    });
  }

  @Test
  void storeCallsAnswerUnimplementedAndAreCounted() {
    start(Refusal.NOTHING);

    assertThatThrownBy(() -> KvStoreGrpc.newBlockingStub(channel).getValue(KvStoreGetValueRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    assertThat(collector.storeCalls()).isEqualTo(1);
    assertThat(collector.unservedCalls()).containsExactly("nitric.proto.kvstore.v1.KvStore/GetValue");
  }

  @Test
  void refusalsAnswerFailedPreconditionWithTheirDescription() throws Exception {
    start(Refusal.DECLARE);
    assertThatThrownBy(() -> declare(ResourceType.Websocket, "chat"))
        .hasMessage("FAILED_PRECONDITION: " + NitricCollector.DECLARE_REFUSED);
    close();

    start(Refusal.REGISTRATION);
    assertThat(register("chat", WebsocketEventType.Message).next()).isInstanceOfSatisfying(Status.class,
        status -> assertThat(status.getDescription()).isEqualTo(NitricCollector.REGISTRATION_REFUSED));
    assertThat(collector.refusals()).containsExactly("HandleEvents chat/Message");
    assertThat(collector.registrations()).isEmpty();
  }

  private static void assertAnsweredThenEnded(Stream stream) throws InterruptedException {
    assertThat(stream.next()).as("the registration is answered").isInstanceOfSatisfying(ServerMessage.class,
        message -> assertThat(message.hasRegistrationResponse()).isTrue());
    assertThat(stream.next()).as("then the stream ends").isEqualTo(Status.OK);
  }

  private void start(Refusal refusal) {
    collector = NitricCollector.start("svc", refusal);
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", collector.port(), InsecureChannelCredentials.create()).build();
  }

  private void declare(ResourceType type, String name) {
    ResourcesGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).declare(ResourceDeclareRequest.newBuilder()
        .setId(ResourceIdentifier.newBuilder().setType(type).setName(name)).build());
  }

  private Stream register(String socket, WebsocketEventType type) {
    Stream stream = new Stream();
    WebsocketHandlerGrpc.newStub(channel).handleEvents(stream).onNext(ClientMessage.newBuilder()
        .setRegistrationRequest(RegistrationRequest.newBuilder().setSocketName(socket).setEventType(type)).build());
    return stream;
  }

  /** What a HandleEvents stream delivers: ServerMessages, then its final Status. */
  private static final class Stream implements StreamObserver<ServerMessage> {
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    Object next() throws InterruptedException {
      Object event = events.poll(5, TimeUnit.SECONDS);
      assertThat(event).as("an event within 5 s").isNotNull();
      return event;
    }

    @Override
    public void onNext(ServerMessage message) {
      events.add(message);
    }

    @Override
    public void onError(Throwable t) {
      events.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      events.add(Status.OK);
    }
  }
}
