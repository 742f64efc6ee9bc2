package dev.nitricws.adapters.nitric.send;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.UnsafeByteOperations;
import dev.nitricws.adapters.nitric.NitricCallException;
import dev.nitricws.adapters.nitric.Unary;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.PositiveDuration;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import dev.nitricws.domain.SocketUrls;
import dev.nitricws.proto.websockets.v1.WebsocketCloseConnectionRequest;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsRequest;
import dev.nitricws.proto.websockets.v1.WebsocketGrpc;
import dev.nitricws.proto.websockets.v1.WebsocketSendRequest;
import io.grpc.Channel;
import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The outbound Nitric adapter: sends to and closes connections with the runtime's unary
 * SendMessage and CloseConnection calls. Thread-safe; never blocks and never throws for a failed
 * call.
 *
 * <p>A failure that says the connection is unknown becomes {@link SendOutcome.Gone}, so it gets
 * pruned: status NOT_FOUND (any runtime); UNKNOWN "could not get connection ..." (the reference
 * local runtime); and on AWS, where SendMessage answers INTERNAL with a generic description and
 * the API Gateway error (GoneException, HTTP 410) only in the status details, and
 * CloseConnection answers the raw AWS error (UNKNOWN): INTERNAL or UNKNOWN whose description or
 * detail {@code cause} names a GoneException or status code 410. Any other failure is {@link
 * SendOutcome.Failed} with a {@link NitricCallException} keeping the gRPC exception as its cause.
 */
public final class NitricMessageSender implements MessageSender, SocketUrls {

  /** How API Gateway's "gone" reads in the AWS SDK's errors: the exception's name, or status code 410. */
  private static final Pattern AWS_GONE = Pattern.compile(
      "GoneException|(?i:status ?code:? ?410(?![0-9])|http(?:/[0-9.]+)? 410(?![0-9]))");

  private final WebsocketGrpc.WebsocketStub stub;
  private final Optional<Duration> deadline;
  private final String target;

  /** A sender with no deadline on its calls. */
  public NitricMessageSender(Channel channel) {
    this(channel, Optional.empty());
  }

  /** A sender whose calls fail (as {@link SendOutcome.Failed}, DEADLINE_EXCEEDED) after {@code deadline}. */
  public NitricMessageSender(Channel channel, Duration deadline) {
    this(channel, Optional.of(positive(deadline)));
  }

  private NitricMessageSender(Channel channel, Optional<Duration> deadline) {
    requireNonNull(channel, "channel");
    this.deadline = deadline;
    this.stub = WebsocketGrpc.newStub(channel);
    this.target = channel.authority();
  }

  private static Duration positive(Duration deadline) {
    return PositiveDuration.require("deadline", deadline);
  }

  @Override
  public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    requireNonNull(data, "data");
    return outcome("SendMessage to " + socket + "/" + id, Unary.call(stub()::sendMessage,
        WebsocketSendRequest.newBuilder()
            .setSocketName(socket.value())
            .setConnectionId(id.value())
            .setData(UnsafeByteOperations.unsafeWrap(data)) // no copy: MessageSender callers hand over the bytes
            .build()));
  }

  @Override
  public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    return outcome("CloseConnection of " + socket + "/" + id, Unary.call(stub()::closeConnection,
        WebsocketCloseConnectionRequest.newBuilder()
            .setSocketName(socket.value())
            .setConnectionId(id.value())
            .build()));
  }

  /**
   * The URL clients connect to, from the runtime's SocketDetails. Fails the stage with a {@link
   * NitricCallException} when the runtime cannot say (for example during the Nitric CLI's build).
   */
  @Override
  public CompletionStage<String> url(SocketName socket) {
    requireNonNull(socket, "socket");
    String what = "SocketDetails of " + socket;
    return Unary.call(stub()::socketDetails, WebsocketDetailsRequest.newBuilder().setSocketName(socket.value()).build(),
        error -> NitricCallException.of(what, target, error))
        .thenCompose(details -> details != null ? CompletableFuture.completedFuture(details.getUrl())
            : CompletableFuture.failedFuture(new NitricCallException("Nitric runtime at " + target + ": " + what
                + " answered nothing", Status.INTERNAL, null)));
  }

  private WebsocketGrpc.WebsocketStub stub() {
    return deadline.map(d -> stub.withDeadlineAfter(d.toNanos(), TimeUnit.NANOSECONDS)).orElse(stub);
  }

  /**
   * Whether a failed call says the connection is gone, and if so why (empty otherwise). Reads the
   * status description and the {@code cause} of its details (see {@link NitricCallException#detailCause}).
   */
  static Optional<String> goneReason(Throwable error) {
    Status status = Status.fromThrowable(error);
    String description = status.getDescription() == null ? "" : status.getDescription();
    String cause = NitricCallException.detailCause(error);
    boolean aws = AWS_GONE.matcher(description).find() || AWS_GONE.matcher(cause).find();
    boolean gone = switch (status.getCode()) {
      case NOT_FOUND -> true;
      case UNKNOWN -> description.contains("could not get connection") || aws;
      case INTERNAL -> aws;
      default -> false;
    };
    if (!gone) {
      return Optional.empty();
    }
    return Optional.of(NitricCallException.describe(status) + (cause.isEmpty() ? "" : " (cause: " + cause + ")"));
  }

  /** What a call that ended with {@code answer} means for the connection: delivered, gone or failed. */
  private CompletionStage<SendOutcome> outcome(String what, CompletableFuture<?> answer) {
    return answer.handle((ok, error) -> {
      if (error == null) {
        return SendOutcome.DELIVERED;
      }
      Optional<String> gone = goneReason(error);
      return gone.<SendOutcome>map(SendOutcome.Gone::new)
          .orElseGet(() -> new SendOutcome.Failed(NitricCallException.of(what, target, error)));
    });
  }
}
