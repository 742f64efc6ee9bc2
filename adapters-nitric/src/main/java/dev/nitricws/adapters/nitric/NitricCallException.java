package dev.nitricws.adapters.nitric;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.nitricws.domain.LogText;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;

/**
 * A call to the Nitric runtime failed (unreachable, refused, timed out). Carries the gRPC status
 * the runtime answered; the original {@link io.grpc.StatusRuntimeException} is the cause. The
 * message quotes the runtime's words with control characters escaped, so it can be logged.
 */
public class NitricCallException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Status status;

  public NitricCallException(String message, Status status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The gRPC status of the failed call. */
  public Status status() {
    return status;
  }

  /** The exception for {@code what} at {@code target} failing with {@code error}, cause kept. */
  public static NitricCallException of(String what, String target, Throwable error) {
    Status status = Status.fromThrowable(error);
    String cause = detailCause(error);
    return new NitricCallException("Nitric runtime at " + target + ": " + what + " failed: " + describe(status)
        + (cause.isEmpty() ? "" : " (cause: " + cause + ")"), status, error);
  }

  /**
   * The {@code cause} the Nitric runtimes put in a failed call's status details, or "" when there
   * is none. The cloud runtimes answer with a generic description and the provider's own error
   * only there: a {@code google.protobuf.Struct} detail with a {@code cause} text
   * (nitric core/pkg/grpc/errors). Several such details are joined with "; ".
   */
  public static String detailCause(Throwable error) {
    com.google.rpc.Status rich = StatusProto.fromThrowable(error);
    if (rich == null) {
      return "";
    }
    StringBuilder causes = new StringBuilder();
    for (Any detail : rich.getDetailsList()) {
      if (!detail.is(Struct.class)) {
        continue;
      }
      try {
        Value cause = detail.unpack(Struct.class).getFieldsOrDefault("cause", Value.getDefaultInstance());
        if (cause.hasStringValue() && !cause.getStringValue().isBlank()) {
          causes.append(causes.isEmpty() ? "" : "; ").append(LogText.escape(cause.getStringValue().strip()));
        }
      } catch (InvalidProtocolBufferException e) {
        // a detail that says it is a Struct but is not one: nothing to read
      }
    }
    return causes.toString();
  }

  /** A status as {@code CODE: description}, the runtime's description escaped for a log line. */
  public static String describe(Status status) {
    return status.getDescription() == null ? status.getCode().toString()
        : status.getCode() + ": " + LogText.escape(status.getDescription());
  }
}
