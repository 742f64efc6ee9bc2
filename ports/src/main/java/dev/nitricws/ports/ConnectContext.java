package dev.nitricws.ports;

import dev.nitricws.domain.Headers;
import dev.nitricws.domain.QueryParameters;
import java.util.Optional;

/** A connect in progress: see the query, set attributes to keep with the connection, or reject. */
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

  /** The attribute {@code name} set so far (by {@link #attribute(String, String)} or an authenticator). */
  Optional<String> attribute(String name);

  /** Refuses the connection; the gateway refuses the websocket upgrade. */
  void reject(String reason);
}
