package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

/** What an {@link Authenticator} decided about a connecting client: who it is, or why it is refused. */
public sealed interface Authentication {

  /** The client is {@code subject} (a user id, a device name). */
  record Authenticated(String subject) implements Authentication {
    public Authenticated {
      requireNonNull(subject, "subject");
      if (subject.isEmpty()) {
        throw new IllegalArgumentException("an authenticated subject must not be empty");
      }
    }
  }

  /**
   * The client is refused; {@code reason} says why in a few words ("expired token"). The client is
   * rejected with {@value Authenticator#REFUSED_STATUS} and this reason, and it is logged at debug
   * level, so it must not hold the credential itself. It follows the rules of a reject reason: at
   * most {@value EventAnswer.Reject#MAX_REASON_LENGTH} characters, one line, no control characters.
   *
   * @throws IllegalArgumentException naming the rule {@code reason} breaks
   */
  record Refused(String reason) implements Authentication {
    public Refused {
      EventAnswer.Reject.requireReason(reason);
    }
  }
}
