package dev.nitricws.ports;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link MessageSender} for tests: records sends, answers gone for chosen ids. */
final class RecordingSender implements MessageSender {

  final Map<ConnectionId, List<String>> received = new ConcurrentHashMap<>();
  final Set<ConnectionId> gone = ConcurrentHashMap.newKeySet();
  final Set<ConnectionId> closed = ConcurrentHashMap.newKeySet();

  @Override
  public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
    if (gone.contains(id)) {
      return CompletableFuture.completedFuture(new SendOutcome.Gone("could not get connection " + id));
    }
    received.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(new String(data, StandardCharsets.UTF_8));
    return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
  }

  @Override
  public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
    if (gone.contains(id)) {
      return CompletableFuture.completedFuture(new SendOutcome.Gone("could not get connection " + id));
    }
    closed.add(id);
    return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
  }

  List<String> to(ConnectionId id) {
    return received.getOrDefault(id, List.of());
  }
}
