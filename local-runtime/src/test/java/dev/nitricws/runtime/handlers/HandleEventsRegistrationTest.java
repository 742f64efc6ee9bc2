package dev.nitricws.runtime.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.RegistrationRequest;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.RuntimeAndApp;
import dev.nitricws.runtime.TestApp;
import dev.nitricws.runtime.TestApp.EventStream;
import dev.nitricws.runtime.TestApp.Mode;
import dev.nitricws.runtime.WsClient;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HandleEvents registration rules. */
class HandleEventsRegistrationTest {

  @RegisterExtension
  final RuntimeAndApp local = new RuntimeAndApp();
  private LocalRuntime runtime;
  private TestApp app;

  @BeforeEach
  void start() {
    local.start();
    runtime = local.runtime();
    app = local.app();
  }

  @Test
  void registrationIsAnsweredWithTheSameIdAndCounted() {
    app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);

    assertThat(runtime.handlerCount("chat", WebsocketEventType.Connect)).isEqualTo(1);
    assertThat(runtime.handlerCount("chat", WebsocketEventType.Message)).isZero();
  }

  @Test
  void sameSocketAndEventMayBeRegisteredTwice() {
    app.register("chat", WebsocketEventType.Message, Mode.ACCEPT);
    EventStream second = app.register("chat", WebsocketEventType.Message, Mode.ACCEPT);

    assertThat(runtime.handlerCount("chat", WebsocketEventType.Message)).isEqualTo(2);
    assertThat(second.ended).isNotDone();
  }

  @Test
  void aStreamThatEndsIsUnregistered() {
    EventStream stream = app.register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);

    stream.complete();

    await().atMost(TestApp.WAIT).until(() -> runtime.handlerCount("chat", WebsocketEventType.Disconnect) == 0);
    assertThat(stream.ended.orTimeout(10, TimeUnit.SECONDS).join().isOk()).isTrue();
  }

  @Test
  void firstMessageOtherThanARegistrationEndsTheStreamWithInvalidArgument() {
    EventStream stream = app.openStream(Mode.MANUAL);

    stream.send(ClientMessage.newBuilder()
        .setId("1")
        .setWebsocketEventResponse(WebsocketEventResponse.newBuilder()
            .setConnectionResponse(WebsocketConnectionResponse.getDefaultInstance()))
        .build());

    Status status = stream.ended.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("registration_request");
  }

  @Test
  void emptyFirstMessageEndsTheStreamWithInvalidArgument() {
    EventStream stream = app.openStream(Mode.MANUAL);

    stream.send(ClientMessage.newBuilder().setId("1").build());

    assertThat(stream.ended.orTimeout(10, TimeUnit.SECONDS).join().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void registrationWithoutASocketNameIsRefused() {
    EventStream stream = app.openStream(Mode.MANUAL);

    stream.send(ClientMessage.newBuilder()
        .setId("1")
        .setRegistrationRequest(RegistrationRequest.newBuilder().setEventType(WebsocketEventType.Message))
        .build());

    Status status = stream.ended.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("socket_name");
  }

  @Test
  void registrationWithAnUnknownEventTypeIsRefused() {
    EventStream stream = app.openStream(Mode.MANUAL);

    stream.send(ClientMessage.newBuilder()
        .setId("1")
        .setRegistrationRequest(RegistrationRequest.newBuilder().setSocketName("chat").setEventTypeValue(7))
        .build());

    Status status = stream.ended.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("event_type 7");
  }

  @Test
  void secondRegistrationOnOneStreamIsRefused() {
    EventStream stream = app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);

    stream.send(ClientMessage.newBuilder()
        .setId("2")
        .setRegistrationRequest(RegistrationRequest.newBuilder()
            .setSocketName("chat").setEventType(WebsocketEventType.Message))
        .build());

    assertThat(stream.ended.orTimeout(10, TimeUnit.SECONDS).join().getCode())
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    await().atMost(TestApp.WAIT).until(() -> runtime.handlerCount("chat", WebsocketEventType.Connect) == 0);
  }

  @Test
  void answerWithAnUnknownIdIsIgnoredAndTheStreamStaysUp() throws Exception {
    app.declareWebsocket("chat");
    EventStream connects = app.register("chat", WebsocketEventType.Connect, Mode.ACCEPT);

    connects.answer("no-such-event", false);
    WsClient.open(runtime.websocketPort("chat"), "/");

    assertThat(connects.next().request().hasConnection()).isTrue();
    assertThat(connects.ended).isNotDone();
  }
}
