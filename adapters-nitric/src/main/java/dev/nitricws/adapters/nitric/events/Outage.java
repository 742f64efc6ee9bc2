package dev.nitricws.adapters.nitric.events;

import dev.nitricws.adapters.nitric.NitricCallException;
import io.grpc.Status;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which event streams of one source are down, so that an outage of the runtime (every stream
 * fails at once) is logged once at WARN when it starts and once at INFO when every stream is
 * registered again, however many streams there are.
 */
final class Outage {

  private static final Logger LOG = LoggerFactory.getLogger(NitricEventSource.class);

  private final String target;
  private final Set<EventStream> down = new HashSet<>();
  private boolean everRegistered;
  private boolean startup;
  private long since;

  Outage(String target) {
    this.target = target;
  }

  /** {@code stream} lost its call (or could not open it); it retries in {@code retryIn}. */
  void lost(EventStream stream, Status status, Duration retryIn) {
    boolean first;
    boolean wasRegistered;
    synchronized (this) {
      first = down.isEmpty();
      down.add(stream);
      if (first) {
        begin();
      }
      wasRegistered = everRegistered;
    }
    if (first) {
      LOG.warn("{} the Nitric runtime at {} ({} on the {} stream of socket '{}'); retrying",
          wasRegistered ? "lost" : "cannot reach", target, NitricCallException.describe(status), stream.type(),
          stream.socket());
    } else {
      LOG.debug("the {} stream of socket '{}' is down ({}); next try in {} ms", stream.type(), stream.socket(),
          NitricCallException.describe(status), retryIn.toMillis());
    }
  }

  /** The runtime refused to register {@code stream}; counted as down, logged by the caller. */
  synchronized void refused(EventStream stream) {
    if (down.isEmpty()) {
      begin();
    }
    down.add(stream);
  }

  /** Marks the start of an outage; holds the lock. */
  private void begin() {
    since = System.nanoTime();
    startup = !everRegistered;
  }

  /** {@code stream} is registered; logs the end of an outage when it was the last one down. */
  void registered(EventStream stream, int streams) {
    boolean recovered;
    boolean atStartup;
    long millis;
    synchronized (this) {
      everRegistered = true;
      recovered = down.remove(stream) && down.isEmpty();
      atStartup = startup;
      millis = Duration.ofNanos(System.nanoTime() - since).toMillis();
    }
    if (recovered) {
      LOG.info("{} with the Nitric runtime at {} after {} ms of retries ({} handler streams)",
          atStartup ? "registered" : "re-registered", target, millis, streams);
    }
  }
}
