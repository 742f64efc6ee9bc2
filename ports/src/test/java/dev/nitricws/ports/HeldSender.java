package dev.nitricws.ports;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A gateway that answers each send only when the test says; records {@code id:text} and the arrays sent. */
final class HeldSender implements MessageSender {
  final List<String> sent = new CopyOnWriteArrayList<>();
  final List<byte[]> arrays = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<SendOutcome>> answers = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
    sent.add(id + ":" + new String(data, StandardCharsets.UTF_8));
    arrays.add(data);
    CompletableFuture<SendOutcome> answer = new CompletableFuture<>();
    answers.add(answer);
    return answer;
  }

  @Override
  public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
    return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
  }

  /** Answers every send so far as delivered. */
  void deliverAll() {
    answers.forEach(a -> a.complete(SendOutcome.DELIVERED));
  }
}
