package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.Futures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** What a handler sees of one event, and the work it asked the app to wait for before answering. */
class HandlerContext implements DisconnectContext {

  private final Websocket socket;
  private final ConnectionId id;
  /** Guarded by this: work the handler handed to answerAfter; null once sealed. */
  private List<CompletableFuture<?>> held = new ArrayList<>();

  HandlerContext(Websocket socket, ConnectionId id) {
    this.socket = socket;
    this.id = id;
  }

  @Override
  public Websocket socket() {
    return socket;
  }

  @Override
  public ConnectionId connectionId() {
    return id;
  }

  @Override
  public void answerAfter(CompletionStage<?> work) {
    requireNonNull(work, "work");
    CompletableFuture<?> copy = Futures.copy(work);
    synchronized (this) {
      if (held == null) {
        throw new IllegalStateException("answerAfter is for the handler to call while it runs; it has returned");
      }
      held.add(copy);
    }
  }

  /** Ends answerAfter calls; the stage completes when every work handed to it has (failing if one failed). */
  CompletableFuture<Void> seal() {
    List<CompletableFuture<?>> works;
    synchronized (this) {
      works = held;
      held = null;
    }
    if (works == null || works.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.allOf(works.toArray(CompletableFuture[]::new));
  }
}
