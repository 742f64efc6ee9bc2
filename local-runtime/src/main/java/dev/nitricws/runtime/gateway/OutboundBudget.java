package dev.nitricws.runtime.gateway;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes queued for every client of the gateway together, bounded: whatever the number of
 * clients that do not read, the gateway holds at most about this much for them. When a write
 * takes the total over the bound, the client with the most queued (the one furthest behind) is
 * closed as not reading, one at a time, until the total is back under it; while the furthest
 * behind is already closing, its bytes are about to be freed and nobody else is closed. A client
 * that reads keeps a short queue, so it is the last one to go. Thread-safe.
 */
final class OutboundBudget {

  private static final Logger LOG = LoggerFactory.getLogger(OutboundBudget.class);
  /** The least time between two evictions, while the bytes of the last one are being freed. */
  private static final long EVICTION_INTERVAL_NANOS = 20_000_000;

  private final long maxBytes;
  private final AtomicLong queued = new AtomicLong();
  private final Set<ConnectionWriter> writers = ConcurrentHashMap.newKeySet();
  private final AtomicLong lastEviction = new AtomicLong(System.nanoTime() - EVICTION_INTERVAL_NANOS);

  OutboundBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  void register(ConnectionWriter writer) {
    writers.add(writer);
  }

  void unregister(ConnectionWriter writer) {
    writers.remove(writer);
  }

  /** Bytes queued for every client now. */
  long queued() {
    return queued.get();
  }

  /** {@code bytes} were queued for a client; over the bound, the furthest-behind client goes. */
  void added(long bytes) {
    if (queued.addAndGet(bytes) <= maxBytes) {
      return;
    }
    long now = System.nanoTime();
    long last = lastEviction.get();
    if (now - last < EVICTION_INTERVAL_NANOS || !lastEviction.compareAndSet(last, now)) {
      return;
    }
    // the furthest behind first, as many as it takes to come back under the bound
    long over = queued.get() - maxBytes;
    List<ConnectionWriter> behind = writers.stream().filter(w -> !w.isClosing() && w.queuedBytes() > 0)
        .sorted(Comparator.comparingLong(ConnectionWriter::queuedBytes).reversed()).toList();
    int evicted = 0;
    for (ConnectionWriter writer : behind) {
      if (over <= 0) {
        break;
      }
      over -= writer.queuedBytes();
      writer.evict();
      evicted++;
    }
    if (evicted > 0) {
      LOG.info("The gateway held {} bytes for its clients, at most {}; dropped the {} furthest behind",
          queued.get(), maxBytes, evicted);
    }
  }

  /** {@code bytes} queued for a client were written, or dropped with it. */
  void removed(long bytes) {
    queued.addAndGet(-bytes);
  }
}
