package dev.nitricws.domain;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Where the connections of every socket are kept (in memory, Redis, Postgres, a Nitric key-value
 * store). The port the domain services use; adapters implement it and pass the registry contract
 * suite (the {@code registry-contract} module).
 *
 * <p>Every method is thread-safe and asynchronous: it never blocks the calling thread on I/O and
 * reports failure by completing its stage exceptionally with a {@link ConnectionStoreException}
 * (or {@link IllegalArgumentException} for bad arguments). An entry whose {@link
 * Connection#expiresAt()} has passed counts as absent for every method.
 */
public interface ConnectionRegistry {

  /**
   * Stores {@code connection}, replacing any entry with the same socket and id (an idempotent
   * upsert: registering the same connection twice leaves one entry).
   */
  CompletionStage<Void> register(Connection connection);

  /**
   * Removes the entry of {@code id} on {@code socket}. Idempotent: completes with {@code true} if
   * an unexpired entry was there, {@code false} if it was absent (never registered, already
   * removed, or expired).
   */
  CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id);

  /** The entry of {@code id} on {@code socket}; empty when absent or expired. */
  CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id);

  /** How many unexpired connections {@code socket} has. Other sockets are not counted. */
  CompletionStage<Long> count(SocketName socket);

  /**
   * Streams the ids of every unexpired connection of {@code socket}, at most {@code pageSize}
   * at a time, without loading the whole socket: the next page is read only after the stage
   * {@code onPage} returned for the previous page has completed, so a slow consumer slows the
   * scan instead of filling memory.
   *
   * <p>A connection that stays registered and unchanged for the whole scan is delivered exactly
   * once; one registered, re-registered or removed during the scan may or may not be. The result
   * completes with the number of ids delivered once the last page has been consumed, or
   * exceptionally if the store or {@code onPage} fails (the scan then stops).
   *
   * @param pageSize between 1 and 10,000
   */
  CompletionStage<Long> scan(
      SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage);
}
