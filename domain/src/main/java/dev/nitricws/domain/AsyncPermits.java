package dev.nitricws.domain;

import java.util.ArrayDeque;

/**
 * A counting semaphore that never blocks: a caller that finds no permit leaves a callback that is
 * run, holding the permit, when one is released.
 */
final class AsyncPermits {

  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int available;

  AsyncPermits(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, got " + permits);
    }
    this.available = permits;
  }

  /** Takes a permit and answers true, or queues {@code whenGranted} and answers false. */
  synchronized boolean acquireOrQueue(Runnable whenGranted) {
    if (available > 0) {
      available--;
      return true;
    }
    waiting.add(whenGranted);
    return false;
  }

  /** Returns a permit: hands it to the oldest waiter, if any, outside the lock. */
  void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        available++;
        return;
      }
    }
    next.run();
  }
}
