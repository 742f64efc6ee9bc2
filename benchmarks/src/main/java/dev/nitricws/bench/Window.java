package dev.nitricws.bench;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;

/**
 * Runs many asynchronous calls with at most a window of them in flight, for the set-up work of the
 * benchmarks (filling a socket), never for the measured operations.
 */
final class Window {

  private Window() {}

  /** Calls {@code call} for 0..count-1, at most {@code window} at a time; waits for all and fails if any did. */
  static void run(long count, int window, LongFunction<CompletionStage<?>> call) {
    Semaphore permits = new Semaphore(window);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try {
      for (long i = 0; i < count && failure.get() == null; i++) {
        permits.acquire();
        call.apply(i).whenComplete((v, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
          permits.release();
        });
      }
      if (!permits.tryAcquire(window, 10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("set-up calls did not finish within 10 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while setting up", e);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a set-up call failed: " + failure.get(), failure.get());
    }
  }
}
