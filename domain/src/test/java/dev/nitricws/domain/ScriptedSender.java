package dev.nitricws.domain;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A sender whose answer to each send a test scripts; it records the ids it was asked to send to. */
final class ScriptedSender implements MessageSender {

  final List<ConnectionId> started = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<SendOutcome>> held = new CopyOnWriteArrayList<>();
  private final Function<ConnectionId, CompletionStage<SendOutcome>> answer;

  ScriptedSender(Function<ConnectionId, CompletionStage<SendOutcome>> answer) {
    this.answer = answer;
  }

  /** A sender that answers each send only when the test completes its entry in {@link #held}. */
  static ScriptedSender holding() {
    ScriptedSender[] self = new ScriptedSender[1];
    self[0] = new ScriptedSender(id -> {
      CompletableFuture<SendOutcome> answer = new CompletableFuture<>();
      self[0].held.add(answer);
      return answer;
    });
    return self[0];
  }

  @Override
  public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
    started.add(id);
    return answer.apply(id);
  }

  @Override
  public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
    return send(socket, id, new byte[0]);
  }
}
