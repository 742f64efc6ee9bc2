package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletionStage;

/**
 * Removes connections the gateway reports gone: after a send or close whose outcome is {@link
 * SendOutcome.Gone}, the connection is unregistered, so later broadcasts skip it.
 */
public final class ConnectionPruner {

  private final ConnectionRegistry registry;

  public ConnectionPruner(ConnectionRegistry registry) {
    this.registry = requireNonNull(registry, "registry");
  }

  /**
   * Looks at the outcome of a send to {@code id}; when it is gone, unregisters the connection.
   * The returned stage completes with the same outcome once the registry has been updated. A
   * failure to unregister does not fail the stage: the entry then expires on its own.
   */
  public CompletionStage<SendOutcome> afterSend(SocketName socket, ConnectionId id, SendOutcome outcome) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    requireNonNull(outcome, "outcome");
    if (!outcome.isGone()) {
      return java.util.concurrent.CompletableFuture.completedFuture(outcome);
    }
    return registry.unregister(socket, id).handle((removed, error) -> outcome);
  }
}
