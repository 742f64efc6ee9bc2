package dev.nitricws.domain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A counting semaphore that never blocks: a caller that finds too few permits leaves a callback
 * that is run, holding its permits, when enough are released.
 *
 * <p>Waiters belong to flows (a broadcast, a single send). Flows are served by deficit round
 * robin: each turn a flow may take about {@value #QUANTUM} permits' worth of its waiters, in
 * their order, so a flow of many large requests cannot make a flow of a few small ones wait
 * behind all of it. Callbacks that release permits again on the same thread are run one after
 * another, not nested, so a chain of sends that complete at once cannot grow the stack.
 */
final class AsyncPermits {

  /** What a flow may take per turn, in permits (bytes, for a send budget). */
  static final long QUANTUM = 128 * 1024;

  private static final Object DEFAULT_FLOW = new Object();
  private static final ThreadLocal<ArrayDeque<Runnable>> RUNNING = new ThreadLocal<>();

  private record Waiter(long permits, Runnable whenGranted) {}

  /** One flow's waiters and what it may still take this turn. */
  private static final class Flow {
    final Object key;
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    long deficit;

    Flow(Object key) {
      this.key = key;
    }
  }

  private final Map<Object, Flow> flows = new IdentityHashMap<>();
  private final ArrayDeque<Flow> turns = new ArrayDeque<>();
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
    return acquireOrQueue(DEFAULT_FLOW, 1, whenGranted);
  }

  /**
   * Takes {@code n} permits (1 to {@link #capacity()}) for {@code flow} and answers true, or
   * queues {@code whenGranted} to be run holding them and answers false.
   */
  synchronized boolean acquireOrQueue(Object flow, long n, Runnable whenGranted) {
    if (n < 1 || n > capacity) {
      throw new IllegalArgumentException("permits asked must be between 1 and " + capacity + ", got " + n);
    }
    if (turns.isEmpty() && available >= n) {
      available -= n;
      return true;
    }
    Flow f = flows.computeIfAbsent(flow, Flow::new);
    if (f.waiters.isEmpty()) {
      turns.add(f);
    }
    f.waiters.add(new Waiter(n, whenGranted));
    return false;
  }

  /** Returns one permit. */
  void release() {
    release(1);
  }

  /** Returns {@code n} permits: hands them to waiting flows in turn, outside the lock. */
  void release(long n) {
    List<Runnable> granted = new ArrayList<>(1);
    synchronized (this) {
      available += n;
      while (!turns.isEmpty()) {
        Flow f = turns.peek();
        Waiter next = f.waiters.peek();
        if (next.permits() > available) {
          break; // wait for more room; this flow keeps its turn
        }
        if (f.deficit < next.permits()) {
          f.deficit += QUANTUM;
          turns.add(turns.poll());
          continue;
        }
        f.waiters.poll();
        f.deficit -= next.permits();
        available -= next.permits();
        granted.add(next.whenGranted());
        if (f.waiters.isEmpty()) {
          turns.poll();
          flows.remove(f.key);
        }
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
