package dev.nitricws.adapters.nitric.events;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.EventAnswer;
import dev.nitricws.ports.SocketEvents;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A {@link SocketEvents} whose answers the test decides; records every event it is handed. */
public final class TestEvents implements SocketEvents {

  public final List<SocketEvent> received = new CopyOnWriteArrayList<>();
  /** Stages handed out, by connection id, for tests that complete them by hand. */
  public final Map<String, List<CompletableFuture<EventAnswer>>> pending = new ConcurrentHashMap<>();
  private final Set<SocketName> sockets;
  private volatile Function<SocketEvent, CompletionStage<EventAnswer>> behaviour =
      e -> CompletableFuture.completedFuture(EventAnswer.ACCEPT);

  public TestEvents(String... sockets) {
    Set<SocketName> names = new LinkedHashSet<>();
    for (String s : sockets) {
      names.add(SocketName.of(s));
    }
    this.sockets = names;
  }

  /** Answers every event with what {@code behaviour} returns (or throws). */
  public TestEvents answering(Function<SocketEvent, CompletionStage<EventAnswer>> behaviour) {
    this.behaviour = behaviour;
    return this;
  }

  /** Answers nothing until the test completes the stage from {@link #pending}. */
  public TestEvents holding() {
    return answering(e -> {
      CompletableFuture<EventAnswer> f = new CompletableFuture<>();
      pending.computeIfAbsent(e.connectionId().value(), k -> new CopyOnWriteArrayList<>()).add(f);
      return f;
    });
  }

  @Override
  public Set<SocketName> sockets() {
    return sockets;
  }

  @Override
  public CompletionStage<EventAnswer> handle(SocketEvent event) {
    received.add(event);
    return behaviour.apply(event);
  }

  /** A sender that delivers everything, for apps whose sends the test does not look at. */
  public static MessageSender deliveringSender() {
    return new MessageSender() {
      @Override
      public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
        return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
      }

      @Override
      public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
        return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
      }
    };
  }
}
