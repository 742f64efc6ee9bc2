package dev.nitricws.ports;

import dev.nitricws.domain.Headers;
import dev.nitricws.domain.QueryParameters;
import java.util.Optional;

/**
 * A connect in progress: see the query, set attributes to keep with the connection, name its user
 * and groups, or reject.
 */
public interface ConnectContext extends SocketContext {

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

  /** Refuses the connection; the gateway refuses the websocket upgrade. */
  void reject(String reason);
}
