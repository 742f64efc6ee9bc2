package dev.nitricws.adapters.nitric;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.UnsafeByteOperations;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.MessageSender;
import dev.nitricws.proto.websockets.v1.WebsocketCloseConnectionRequest;
import dev.nitricws.proto.websockets.v1.WebsocketGrpc;
import dev.nitricws.proto.websockets.v1.WebsocketSendRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
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
 * pruned: status NOT_FOUND; UNKNOWN "could not get connection ..." (the reference local
 * runtime); INTERNAL naming a GoneException or HTTP 410 (the AWS runtime). Any other failure is
 * {@link SendOutcome.Failed} with a {@link NitricCallException} keeping the gRPC exception as its
 * cause.
 */
public final class NitricMessageSender implements MessageSender {

  private static final Pattern HTTP_410 = Pattern.compile("(?<![0-9])410(?![0-9])");

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
    requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, got " + deadline);
    }
    return deadline;
  }

  @Override
  public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    requireNonNull(data, "data");
    Outcome outcome = new Outcome("SendMessage to " + socket + "/" + id);
    try {
      stub().sendMessage(WebsocketSendRequest.newBuilder()
          .setSocketName(socket.value())
          .setConnectionId(id.value())
          .setData(UnsafeByteOperations.unsafeWrap(data)) // no copy: MessageSender callers hand over the bytes
          .build(), new Observer<>(outcome));
    } catch (RuntimeException e) {
      outcome.failed(e);
    }
    return outcome.result;
  }

  @Override
  public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    Outcome outcome = new Outcome("CloseConnection of " + socket + "/" + id);
    try {
      stub().closeConnection(WebsocketCloseConnectionRequest.newBuilder()
          .setSocketName(socket.value())
          .setConnectionId(id.value())
          .build(), new Observer<>(outcome));
    } catch (RuntimeException e) {
      outcome.failed(e);
    }
    return outcome.result;
  }

  private WebsocketGrpc.WebsocketStub stub() {
    return deadline.map(d -> stub.withDeadlineAfter(d.toNanos(), TimeUnit.NANOSECONDS)).orElse(stub);
  }

  /**
   * Whether a failed send's status says the connection is gone, and if so why (empty otherwise).
   */
  static Optional<String> goneReason(Status status) {
    String description = status.getDescription() == null ? "" : status.getDescription();
    boolean gone = switch (status.getCode()) {
      case NOT_FOUND -> true;
      case UNKNOWN -> description.contains("could not get connection");
      case INTERNAL -> description.contains("GoneException") || HTTP_410.matcher(description).find();
      default -> false;
    };
    return gone ? Optional.of(NitricCallException.describe(status)) : Optional.empty();
  }

  /** The result of one call. */
  private final class Outcome {
    final CompletableFuture<SendOutcome> result = new CompletableFuture<>();
    final String what;

    Outcome(String what) {
      this.what = what;
    }

    void failed(Throwable error) {
      Status status = Status.fromThrowable(error);
      Optional<String> gone = goneReason(status);
      result.complete(gone.<SendOutcome>map(SendOutcome.Gone::new)
          .orElseGet(() -> new SendOutcome.Failed(NitricCallException.of(what, target, error))));
    }
  }

  /** Completes an outcome from a unary call. */
  private static final class Observer<R> implements StreamObserver<R> {
    private final Outcome outcome;

    Observer(Outcome outcome) {
      this.outcome = outcome;
    }

    @Override
    public void onNext(R value) {
      // the response is empty
    }

    @Override
    public void onError(Throwable error) {
      outcome.failed(error);
    }

    @Override
    public void onCompleted() {
      outcome.result.complete(SendOutcome.DELIVERED);
    }
  }
}
