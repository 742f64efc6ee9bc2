package dev.nitricws.domain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A counting semaphore that never blocks: a caller that finds too few permits leaves a callback
 * that is run, holding its permits, when enough are released. Waiters are served in arrival
 * order (a large request is not starved by small ones behind it). Callbacks that release permits
 * again on the same thread are run one after another, not nested, so a chain of sends that
 * complete at once cannot grow the stack.
 */
final class AsyncPermits {

  private static final ThreadLocal<ArrayDeque<Runnable>> RUNNING = new ThreadLocal<>();

  private record Waiter(long permits, Runnable whenGranted) {}

  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private final long capacity;
  private long available;

  AsyncPermits(long permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, got " + permits);
    }
    this.capacity = permits;
    this.available = permits;
  }

  /** All the permits there are; no request may ask for more. */
  long capacity() {
    return capacity;
  }

  /** Takes one permit and answers true, or queues {@code whenGranted} and answers false. */
  boolean acquireOrQueue(Runnable whenGranted) {
    return acquireOrQueue(1, whenGranted);
  }

  /**
   * Takes {@code n} permits (1 to {@link #capacity()}) and answers true, or queues {@code
   * whenGranted} to be run holding them and answers false.
   */
  synchronized boolean acquireOrQueue(long n, Runnable whenGranted) {
    if (n < 1 || n > capacity) {
      throw new IllegalArgumentException("permits asked must be between 1 and " + capacity + ", got " + n);
    }
    if (waiting.isEmpty() && available >= n) {
      available -= n;
      return true;
    }
    waiting.add(new Waiter(n, whenGranted));
    return false;
  }

  /** Returns one permit. */
  void release() {
    release(1);
  }

  /** Returns {@code n} permits: hands them to the oldest waiters that now fit, outside the lock. */
  void release(long n) {
    List<Runnable> granted = new ArrayList<>(1);
    synchronized (this) {
      available += n;
      while (!waiting.isEmpty() && waiting.peek().permits() <= available) {
        Waiter next = waiting.poll();
        available -= next.permits();
        granted.add(next.whenGranted());
      }
    }
    run(granted);
  }

  private static void run(List<Runnable> granted) {
    if (granted.isEmpty()) {
      return;
    }
    ArrayDeque<Runnable> queue = RUNNING.get();
    if (queue != null) {
      queue.addAll(granted); // an outer release on this thread runs them when the current one returns
      return;
    }
    queue = new ArrayDeque<>(granted);
    RUNNING.set(queue);
    try {
      Runnable next;
      while ((next = queue.poll()) != null) {
        next.run();
      }
    } finally {
      RUNNING.remove();
    }
  }
}
