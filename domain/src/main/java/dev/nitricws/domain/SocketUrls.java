package dev.nitricws.domain;

import java.util.concurrent.CompletionStage;

/**
 * The outbound port that tells where clients connect to a socket: the gateway's address, as the
 * runtime reports it ({@code ws://127.0.0.1:4000} locally, {@code wss://<api-id>.execute-api.
 * <region>.amazonaws.com/<stage>} on AWS). Implemented by the Nitric adapter (SocketDetails).
 *
 * <p>Thread-safe and asynchronous; never throws for a failed call: the stage fails instead.
 */
public interface SocketUrls {

  /** The URL clients connect to for {@code socket}. */
  CompletionStage<String> url(SocketName socket);
}
