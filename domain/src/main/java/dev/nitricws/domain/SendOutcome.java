package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

/**
 * How one send (or close) to one connection ended: delivered to the gateway, the connection is
 * gone (the gateway no longer knows it, so it should be pruned), or another failure.
 */
public sealed interface SendOutcome {

  /** The shared instance for a delivered message. */
  SendOutcome DELIVERED = new Delivered();

  /** Whether this is {@link Delivered}. */
  default boolean isDelivered() {
    return this instanceof Delivered;
  }

  /** Whether this is {@link Gone}. */
  default boolean isGone() {
    return this instanceof Gone;
  }

  /** The gateway accepted the message for the connection. */
  record Delivered() implements SendOutcome {}

  /** The gateway does not know the connection any more; {@code reason} is what it said. */
  record Gone(String reason) implements SendOutcome {
    public Gone {
      requireNonNull(reason, "reason");
    }
  }

  /** The send failed for another reason; the connection may still be there. */
  record Failed(Throwable cause) implements SendOutcome {
    public Failed {
      requireNonNull(cause, "cause");
    }
  }
}
