package dev.nitricws.json;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A gateway for tests that delivers every send at once and records what each connection got. */
final class RecordingSender implements MessageSender {

  private final Map<ConnectionId, List<String>> received = new ConcurrentHashMap<>();

  @Override
  public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
    received.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(new String(data, StandardCharsets.UTF_8));
    return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
  }

  @Override
  public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
    return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
  }

  /** What connection {@code id} has received, in order. */
  List<String> to(String id) {
    return received.getOrDefault(ConnectionId.of(id), List.of());
  }
}
