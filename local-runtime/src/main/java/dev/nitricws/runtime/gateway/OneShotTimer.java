package dev.nitricws.runtime.gateway;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * At most one task waiting on an event loop, cancelled when what it waits for happens: a new
 * connection's request timeout, a client's slow-client timeout. Confined to that event loop.
 */
final class OneShotTimer {

  private ScheduledFuture<?> scheduled;

  /** Runs {@code task} on {@code loop} after {@code delay}, unless a task is waiting already. */
  void start(EventExecutor loop, Duration delay, Runnable task) {
    if (scheduled != null) {
      return;
    }
    scheduled = loop.schedule(() -> {
      scheduled = null;
      task.run();
    }, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The waiting task, if any, will not run. */
  void cancel() {
    if (scheduled != null) {
      scheduled.cancel(false);
      scheduled = null;
    }
  }
}
