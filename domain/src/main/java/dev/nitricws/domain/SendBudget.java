package dev.nitricws.domain;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * How many bytes of sends may be in flight at once across everything that shares this budget (an
 * app's broadcasts and single sends), so that memory stays bounded whatever the number of
 * broadcasts running and however slow the gateway answers: each send holds its payload in a
 * request until it is answered. A send costs its payload plus a small overhead, and waits, without
 * blocking a thread, until the budget has room. The sends of one {@link #flow} (one broadcast)
 * start in the order they asked; different ones take turns by bytes, so a broadcast of a short
 * message is not held behind every send of a flood of large ones.
 */
public final class SendBudget {

  /** Default bytes in flight: 32 MiB. */
  public static final long DEFAULT_MAX_BYTES_IN_FLIGHT = 32L << 20;
  /** What a send costs on top of its payload (the request around it). */
  static final long PER_SEND = 256;

  private final AsyncPermits bytes;

  /** A budget of {@code maxBytesInFlight} bytes (at least 64 KiB). */
  public SendBudget(long maxBytesInFlight) {
    if (maxBytesInFlight < 64 * 1024) {
      throw new IllegalArgumentException("maxBytesInFlight must be at least 65536, got " + maxBytesInFlight);
    }
    this.bytes = new AsyncPermits(maxBytesInFlight);
  }

  /** A budget of {@link #DEFAULT_MAX_BYTES_IN_FLIGHT}. */
  public SendBudget() {
    this(DEFAULT_MAX_BYTES_IN_FLIGHT);
  }

  /** A new flow: the sends of one broadcast, which start in the order they ask. */
  public Object flow() {
    return new Object();
  }

  /**
   * Starts {@code send} once the budget has room for a send of {@code payloadBytes} in {@code
   * flow} (see {@link #flow()}); the room is returned when the send's stage completes. A send
   * larger than the whole budget waits for all of it. If the returned stage is completed or
   * cancelled before the send could start (a deadline around it passed), the send is not started.
   * {@code send} must not throw nor fail its stage (see {@link BoundedSender}).
   */
  CompletableFuture<SendOutcome> submit(Object flow, long payloadBytes, Supplier<CompletionStage<SendOutcome>> send) {
    long cost = Math.min(bytes.capacity(), Math.max(0, payloadBytes) + PER_SEND);
    CompletableFuture<SendOutcome> result = new CompletableFuture<>();
    Runnable start = () -> {
      if (result.isDone()) {
        bytes.release(cost);
        return;
      }
      send.get().whenComplete((outcome, error) -> {
        bytes.release(cost);
        result.complete(outcome);
      });
    };
    if (bytes.acquireOrQueue(flow, cost, start)) {
      start.run();
    }
    return result;
  }
}
