package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.Futures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** What a handler sees of one event, and the work it asked the app to wait for before answering. */
class HandlerContext implements DisconnectContext {

  private final Websocket socket;
  private final ConnectionId id;
  private final Consumer<SocketError> errors;
  private final KnownAttributes attributes;
  /** Guarded by this: work the handler handed to answerAfter; null once sealed. */
  private List<CompletableFuture<?>> held = new ArrayList<>();

  /** A context whose {@link #attribute(String)} answers from {@code attributes} (null: a subclass answers). */
  HandlerContext(Websocket socket, ConnectionId id, KnownAttributes attributes, Consumer<SocketError> errors) {
    this.socket = socket;
    this.id = id;
    this.attributes = attributes;
    this.errors = errors;
  }

  @Override
  public Optional<String> attribute(String name) {
    requireNonNull(name, "name");
    return Optional.ofNullable(attributes.read(id).get(name));
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

  /**
   * Work started through the context's shorthands (a reply, a broadcast): while the handler runs,
   * the app waits for it before answering, as for {@link #answerAfter}; started later, a failure
   * goes to the socket's error hook.
   */
  <T> CompletionStage<T> awaited(String during, CompletionStage<T> work) {
    CompletableFuture<T> copy = Futures.copy(work);
    synchronized (this) {
      if (held != null) {
        held.add(copy);
        return copy;
      }
    }
    copy.whenComplete((v, error) -> {
      if (error != null) {
        failed(during, Futures.unwrap(error));
      }
    });
    return copy;
  }

  /** Hands a failure to the socket's error hook; a hook that throws is logged, never propagated. */
  void failed(String during, Throwable cause) {
    SocketError error = new SocketError(socket.name(), id, during, cause);
    try {
      errors.accept(error);
    } catch (RuntimeException e) {
      SocketErrors.log(error);
      SocketErrors.log(new SocketError(socket.name(), id, "the error hook", e));
    }
  }

  /**
   * A connection's attributes as the app found them for one event: read from its cache or the
   * registry ({@code values}, empty for a connection the registry no longer holds), or not
   * readable because the registry failed ({@code failure}).
   */
  record KnownAttributes(Map<String, String> values, Throwable failure) {

    static KnownAttributes of(Map<String, String> values) {
      return new KnownAttributes(values, null);
    }

    Map<String, String> read(ConnectionId id) {
      if (failure != null) {
        throw new IllegalStateException("the attributes of connection " + id + " could not be read from the registry: "
            + failure.getMessage(), failure);
      }
      return values;
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
