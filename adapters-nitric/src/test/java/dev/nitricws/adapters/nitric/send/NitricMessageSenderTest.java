package dev.nitricws.adapters.nitric.send;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.nitricws.adapters.nitric.InProcessGrpc;
import dev.nitricws.adapters.nitric.NitricCallException;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NitricMessageSenderTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeWebsocketService service = new FakeWebsocketService();
  @RegisterExtension
  final InProcessGrpc grpc = new InProcessGrpc("nitric-sender", service);

  @Test
  void aSendTheRuntimeAcceptsIsDeliveredWithTheBytesAsGiven() {
    byte[] data = "héllo".getBytes(StandardCharsets.UTF_8);

    SendOutcome outcome = join(new NitricMessageSender(grpc.channel()).send(CHAT, ConnectionId.of("c1"), data));

    assertThat(outcome).isEqualTo(SendOutcome.DELIVERED);
    assertThat(service.sent).singleElement().satisfies(r -> {
      assertThat(r.getSocketName()).isEqualTo("chat");
      assertThat(r.getConnectionId()).isEqualTo("c1");
      assertThat(r.getData().toByteArray()).isEqualTo(data);
    });
  }

  @Test
  void aCloseTheRuntimeAcceptsIsDelivered() {
    SendOutcome outcome = join(new NitricMessageSender(grpc.channel()).close(CHAT, ConnectionId.of("c1")));

    assertThat(outcome).isEqualTo(SendOutcome.DELIVERED);
    assertThat(service.closed).singleElement().satisfies(r -> {
      assertThat(r.getSocketName()).isEqualTo("chat");
      assertThat(r.getConnectionId()).isEqualTo("c1");
    });
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(Status.NOT_FOUND.withDescription("connection c9 not found"), true),
        Arguments.of(Status.UNKNOWN.withDescription("could not get connection c9"), true),
        Arguments.of(Status.INTERNAL.withDescription(
            "GoneException: operation error ApiGatewayManagementApi: PostToConnection, https response error StatusCode: 410"), true),
        Arguments.of(Status.INTERNAL.withDescription("PostToConnection failed with HTTP 410"), true),
        Arguments.of(Status.INTERNAL.withDescription("throttled after 4100 calls"), false),
        Arguments.of(Status.UNKNOWN.withDescription("something else broke"), false),
        Arguments.of(Status.UNAVAILABLE.withDescription("runtime restarting"), false),
        Arguments.of(Status.PERMISSION_DENIED.withDescription("could not get connection c9"), false));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void aFailedSendIsGoneOnlyWhenTheRuntimeSaysTheConnectionIsUnknown(Status status, boolean gone) {
    service.failures.put("c9", status);

    for (SendOutcome outcome : sendAndCloseC9()) {
      if (gone) {
        assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Gone.class,
            g -> assertThat(g.reason()).contains(status.getCode().toString()).contains(status.getDescription()));
      } else {
        assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Failed.class, f -> {
          assertThat(f.cause()).isInstanceOf(NitricCallException.class)
              .hasMessageContaining("chat/c9").hasMessageContaining(status.getCode().toString())
              .hasCauseInstanceOf(StatusRuntimeException.class);
          assertThat(((NitricCallException) f.cause()).status().getCode()).isEqualTo(status.getCode());
        });
      }
    }
  }

  /**
   * Errors in the shapes the AWS runtime answers: SendMessage fails INTERNAL with a generic
   * description and the API Gateway error only in the details (a Struct with a {@code cause});
   * CloseConnection returns the raw AWS SDK error, which grpc-go sends as UNKNOWN.
   */
  static Stream<Arguments> awsFailures() {
    String gone = "operation error ApiGatewayManagementApi: PostToConnection, https response error StatusCode: 410, "
        + "RequestID: 5b1e6c2a-a410b-4e1f-9c3d-0a7e8f9b1c2d, GoneException: ";
    String forbidden = "operation error ApiGatewayManagementApi: PostToConnection, https response error StatusCode: 403, "
        + "RequestID: 7c2d-a410b-11ee, ForbiddenException: Forbidden";
    String throttled = "operation error ApiGatewayManagementApi: PostToConnection, https response error StatusCode: 429, "
        + "RequestID: 0a410b, LimitExceededException: ";
    String rawClose = "operation error ApiGatewayManagementApi: DeleteConnection, https response error StatusCode: 410, "
        + "RequestID: 1f2e3d4c, GoneException: ";
    return Stream.of(
        Arguments.of("send, gone in the details", awsError(13, "Websocket.SendMessage unable to send message", gone), true),
        Arguments.of("close, raw AWS error", Status.UNKNOWN.withDescription(rawClose).asRuntimeException(), true),
        Arguments.of("send, forbidden in the details", awsError(13, "Websocket.SendMessage unable to send message", forbidden), false),
        Arguments.of("send, throttled in the details", awsError(13, "Websocket.SendMessage unable to send message", throttled), false),
        Arguments.of("close, raw forbidden", Status.UNKNOWN.withDescription(forbidden).asRuntimeException(), false),
        Arguments.of("send, no details", awsError(13, "Websocket.SendMessage unable to send message", null), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("awsFailures")
  void goneIsReadFromTheStatusDetailsAsTheAwsRuntimeSendsThem(String shape, StatusRuntimeException error, boolean gone) {
    service.errors.put("c9", error);

    for (SendOutcome outcome : sendAndCloseC9()) {
      if (gone) {
        assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Gone.class,
            g -> assertThat(g.reason()).contains("410"));
      } else {
        assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Failed.class, f -> {
          assertThat(f.cause()).isInstanceOf(NitricCallException.class).hasCauseInstanceOf(StatusRuntimeException.class);
          if (shape.startsWith("send, forbidden")) {
            // the provider's own error is in the message, not just the generic description
            assertThat(f.cause()).hasMessageContaining("ForbiddenException");
          }
        });
      }
    }
  }

  /** The outcomes of a send to and a close of connection c9. */
  private List<SendOutcome> sendAndCloseC9() {
    NitricMessageSender sender = new NitricMessageSender(grpc.channel());
    SendOutcome sent = join(sender.send(CHAT, ConnectionId.of("c9"), new byte[] {1}));
    SendOutcome closed = join(sender.close(CHAT, ConnectionId.of("c9")));
    return List.of(sent, closed);
  }

  private static StatusRuntimeException awsError(int code, String description, String cause) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code).setMessage(description);
    if (cause != null) {
      status.addDetails(Any.pack(Struct.newBuilder()
          .putFields("cause", Value.newBuilder().setStringValue(cause).build()).build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  @Test
  void theSocketsUrlIsWhatTheRuntimesSocketDetailsSays() {
    NitricMessageSender sender = new NitricMessageSender(grpc.channel());

    assertThat(sender.url(CHAT).toCompletableFuture()).succeedsWithin(WAIT).isEqualTo("wss://abc.example/chat");
    assertThat(sender.url(SocketName.of("unknown")).toCompletableFuture()).failsWithin(WAIT).withThrowableThat()
        .withCauseInstanceOf(NitricCallException.class).withMessageContaining("SocketDetails of unknown")
        .withMessageContaining("NOT_FOUND");
  }

  @Test
  void aSendPastItsDeadlineFailsWithoutThrowing() {
    service.failures.put("slow", FakeWebsocketService.NEVER);
    NitricMessageSender sender = new NitricMessageSender(grpc.channel(), Duration.ofMillis(100));

    SendOutcome outcome = join(sender.send(CHAT, ConnectionId.of("slow"), new byte[0]));

    assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Failed.class, f ->
        assertThat(((NitricCallException) f.cause()).status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void aSendOnAShutChannelFailsWithoutThrowing() {
    grpc.channel().shutdownNow();

    SendOutcome outcome = join(new NitricMessageSender(grpc.channel()).send(CHAT, ConnectionId.of("c1"), new byte[0]));

    assertThat(outcome).isInstanceOf(SendOutcome.Failed.class);
  }

  private static SendOutcome join(java.util.concurrent.CompletionStage<SendOutcome> stage) {
    assertThat(stage.toCompletableFuture()).succeedsWithin(WAIT);
    return stage.toCompletableFuture().join();
  }

}
