package dev.nitricws.runtime.handlers;

import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Between the gateway and the handlers: counts the Disconnect events dispatched and not answered
 * yet, so that closing the gateway can wait until the application has seen every disconnect.
 */
public final class DisconnectCounter implements EventDispatcher {

  private final EventDispatcher inner;
  private int pending;

  public DisconnectCounter(EventDispatcher inner) {
    this.inner = inner;
  }

  @Override
  public CompletableFuture<Optional<WebsocketEventResponse>> dispatch(WebsocketEventType type, WebsocketEventRequest event) {
    if (type != WebsocketEventType.Disconnect) {
      return inner.dispatch(type, event);
    }
    synchronized (this) {
      pending++;
    }
    try {
      return inner.dispatch(type, event).whenComplete((answer, error) -> ended());
    } catch (RuntimeException e) {
      ended();
      throw e;
    }
  }

  private synchronized void ended() {
    pending--;
    notifyAll();
  }

  /** Waits until no Disconnect is pending or {@code deadline} (System.nanoTime) has passed; true if none is. */
  public synchronized boolean awaitNone(long deadline) {
    boolean interrupted = false;
    try {
      while (pending > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      return true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
