package dev.nitricws.adapters.nitric;

import io.grpc.Status;

/**
 * A call to the Nitric runtime failed (unreachable, refused, timed out). Carries the gRPC status
 * the runtime answered; the original {@link io.grpc.StatusRuntimeException} is the cause.
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
  static NitricCallException of(String what, String target, Throwable error) {
    Status status = Status.fromThrowable(error);
    return new NitricCallException("Nitric runtime at " + target + ": " + what + " failed: " + describe(status),
        status, error);
  }

  /** A status as {@code CODE: description}. */
  static String describe(Status status) {
    return status.getDescription() == null ? status.getCode().toString()
        : status.getCode() + ": " + status.getDescription();
  }
}
