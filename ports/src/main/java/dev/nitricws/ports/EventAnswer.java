package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.LogText;

/**
 * The answer to one socket event: accept it, or, for a connect, reject it with an HTTP-like status
 * and a short reason, which a gateway that can reports on the refused upgrade (nitric-ws's local
 * runtime answers that status with the reason as its body; Nitric's own runtimes answer their
 * fixed status, see adapters-nitric's README).
 */
public sealed interface EventAnswer permits EventAnswer.Accept, EventAnswer.Reject {

  /** Accept the connect (and the answer to every disconnect and message). */
  EventAnswer ACCEPT = new Accept();

  /**
   * The answer to a connect the app could not handle: its handler threw, failed the work it handed
   * over or ran out of time, the store did not register it, or the app does not serve the socket.
   * HTTP 500 "Connection Refused", the answer of the reference Nitric CLI to every reject.
   */
  Reject FAILED = new Reject(500, "Connection Refused");

  /** Whether this answer refuses the connection. */
  boolean rejects();

  /** Accept the event. */
  record Accept() implements EventAnswer {
    @Override
    public boolean rejects() {
      return false;
    }
  }

  /**
   * Refuse the connect with {@code status} and {@code reason}.
   *
   * @param status an HTTP status of the client error or server error class, 400 to 599
   * @param reason a short, single-line text for the client: at most {@value #MAX_REASON_LENGTH}
   *     characters, no control characters (nor U+2028 / U+2029); it may be empty. Never put a
   *     credential or a query value in it: the client and the logs see it.
   * @throws IllegalArgumentException naming the rule that {@code status} or {@code reason} breaks
   */
  record Reject(int status, String reason) implements EventAnswer {

    /** The longest reason, in characters (UTF-16 units). */
    public static final int MAX_REASON_LENGTH = 256;

    public Reject {
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("a reject status must be 4xx or 5xx (400 to 599), got " + status);
      }
      requireReason(reason);
    }

    @Override
    public boolean rejects() {
      return true;
    }

    /**
     * {@code reason} if it is a valid reject reason (see {@link Reject}).
     *
     * @throws IllegalArgumentException naming the rule it breaks, with the reason escaped and cut
     */
    static String requireReason(String reason) {
      requireNonNull(reason, "reason");
      if (reason.length() > MAX_REASON_LENGTH) {
        throw new IllegalArgumentException("a reject reason must have at most " + MAX_REASON_LENGTH
            + " characters, got " + reason.length() + ": \"" + LogText.escape(reason, 40) + "\"");
      }
      for (int i = 0; i < reason.length(); i++) {
        char c = reason.charAt(i);
        if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
          throw new IllegalArgumentException(String.format(
              "a reject reason must be one line without control characters, got U+%04X at index %d: \"%s\"",
              (int) c, i, LogText.escape(reason, 80)));
        }
      }
      return reason;
    }
  }
}
