package dev.nitricws.domain;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Which connections of a socket belong to which groups ({@link GroupName}: named groups such as
 * chat rooms, and the connections of each user). The outbound port behind sends to a group or a
 * user; every store adapter implements it beside {@link ConnectionRegistry}, in the same store,
 * and passes the same contract suite (the {@code registry-contract} module).
 *
 * <p>A membership lives as long as the registry entry it was joined under: unregistering the
 * connection (a disconnect, or a prune after the gateway reported it gone) removes all its
 * memberships, and they count as absent once the entry's {@link Connection#expiresAt()} has
 * passed, exactly like the entry. Only a registered, unexpired connection can join.
 *
 * <p>Every method is thread-safe and asynchronous, as {@link ConnectionRegistry}'s are, and fails
 * the same way: a {@link ConnectionStoreException} for the store, an {@link
 * IllegalArgumentException} for bad arguments. Groups of different sockets are apart.
 */
public interface ConnectionGroups {

  /**
   * Adds the connection {@code id} to {@code group}. Idempotent. Completes with {@code true} when
   * the connection is a member afterwards, {@code false} when it has no unexpired entry (nothing
   * is then stored).
   */
  CompletionStage<Boolean> join(SocketName socket, GroupName group, ConnectionId id);

  /** Removes {@code id} from {@code group}; {@code true} if it was an (unexpired) member. */
  CompletionStage<Boolean> leave(SocketName socket, GroupName group, ConnectionId id);

  /** The groups {@code id} belongs to; empty when it has no unexpired entry. */
  CompletionStage<Set<GroupName>> groupsOf(SocketName socket, ConnectionId id);

  /**
   * How many unexpired connections {@code group} has, without reading its members where the
   * store can keep a count.
   */
  CompletionStage<Long> countMembers(SocketName socket, GroupName group);

  /**
   * Streams the ids of the members of {@code group}, page by page, with the guarantees of {@link
   * ConnectionRegistry#scan}: the next page is read only after the consumer's stage for the last
   * one has completed; a member that stays for the whole scan is delivered exactly once.
   *
   * @param pageSize between 1 and {@link Pages#MAX_PAGE_SIZE}
   */
  CompletionStage<Long> scanMembers(
      SocketName socket, GroupName group, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage);

  /**
   * {@code store} seen as the groups it keeps beside its connections.
   *
   * @throws IllegalStateException when the store keeps none (does not implement this port)
   */
  static ConnectionGroups of(ConnectionRegistry store) {
    if (store instanceof ConnectionGroups groups) {
      return groups;
    }
    throw new IllegalStateException(store.getClass().getSimpleName() + " keeps no groups (it does not implement"
        + " ConnectionGroups)");
  }
}
