package dev.nitricws.ports;

import dev.nitricws.domain.Headers;
import dev.nitricws.domain.QueryParameters;
import java.util.Optional;

/**
 * A connect in progress: see the query, set attributes to keep with the connection, name its user
 * and groups, or reject.
 */
public interface ConnectContext extends SocketContext {

  /** The status of {@link #reject(String)}: 403 Forbidden, the client is known to be refused. */
  int DEFAULT_REJECT_STATUS = 403;

  /** The query parameters of the upgrade request (a key may repeat). */
  QueryParameters query();

  /**
   * The upgrade request's headers the gateway passed on, names lower case (the local runtime
   * passes {@code origin}, so an app can check it: {@code headers().first("origin")}; Nitric's own
   * runtimes pass none). Never log their values.
   */
  Headers headers();

  /** Keeps {@code name = value} with the connection in the registry once it is accepted. */
  ConnectContext attribute(String name, String value);

  /** The attribute {@code name} set so far (by {@link #attribute(String, String)}, {@link #user} or an authenticator). */
  @Override
  Optional<String> attribute(String name);

  /**
   * Makes the connection one of user {@code userId}'s: kept as the attribute {@value
   * Authenticator#SUBJECT_ATTRIBUTE}, and a member of the user's group once accepted, so {@code
   * socket().user(userId)} sends to all of the user's connections and tells whether the user is
   * online. An authenticator's subject is set this way.
   */
  ConnectContext user(String userId);

  /** Makes the connection a member of the group {@code group} once it is accepted (see {@link Websocket#group}). */
  ConnectContext join(String group);

  /**
   * Refuses the connection with {@value #DEFAULT_REJECT_STATUS} Forbidden and {@code reason}; the
   * gateway refuses the websocket upgrade. Same as {@code reject(403, reason)}.
   *
   * @throws IllegalArgumentException when {@code reason} is not a valid reject reason (see {@link
   *     #reject(int, String)})
   */
  default void reject(String reason) {
    reject(DEFAULT_REJECT_STATUS, reason);
  }

  /**
   * Refuses the connection with an HTTP-like {@code status} and {@code reason}; the gateway refuses
   * the websocket upgrade, and one that can reports both (nitric-ws's local runtime answers the
   * status with the reason as a {@code text/plain} body; Nitric's runtimes answer their own fixed
   * status: AWS 401, the Nitric CLI 500). E.g. {@code reject(429, "too many connections")}. The
   * last call wins.
   *
   * @param status 400 to 599
   * @param reason a short single line for the client: at most {@value
   *     EventAnswer.Reject#MAX_REASON_LENGTH} characters, no control characters; never a credential
   *     or a query value
   * @throws IllegalArgumentException naming the rule that {@code status} or {@code reason} breaks
   *     (the handler then fails, and the connect is refused with {@link EventAnswer#FAILED})
   */
  void reject(int status, String reason);
}
