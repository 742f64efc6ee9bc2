package dev.nitricws.domain;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stopping something that stops in the background (an executor, a gRPC channel or server), with a bounded wait. */
public final class Shutdown {

  /** How a thing says it has stopped: an {@code awaitTermination(timeout, unit)}. */
  @FunctionalInterface
  public interface Termination {
    boolean await(long timeout, TimeUnit unit) throws InterruptedException;
  }

  private Shutdown() {}

  /**
   * Runs {@code shutdown}, then waits up to {@code grace} for {@code termination}. True when it
   * stopped in time; false when not, or when the waiting thread was interrupted (the interrupt is
   * kept), so the caller can then force it.
   */
  public static boolean within(Duration grace, Runnable shutdown, Termination termination) {
    shutdown.run();
    try {
      return termination.await(grace.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
