package dev.nitricws.adapters.nitric.events;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.LogText;
import io.grpc.stub.ClientCallStreamObserver;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to one client call from any number of threads without a lock: commands are queued and
 * whichever thread finds the writer idle drains the queue, so the call (which is not
 * thread-safe) sees one command at a time, in order. Never blocks. Once the call is half-closed,
 * cancelled or has failed, later messages are dropped.
 */
final class SerializedWriter<T> {

  private static final Logger LOG = LoggerFactory.getLogger(SerializedWriter.class);

  private static final Object HALF_CLOSE = new Object();

  private final ClientCallStreamObserver<T> call;
  private final String name;
  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger work = new AtomicInteger();
  private volatile boolean done;

  SerializedWriter(ClientCallStreamObserver<T> call, String name) {
    this.call = requireNonNull(call, "call");
    this.name = requireNonNull(name, "name");
  }

  /** Queues {@code message}; false if the writer is already done (the message is dropped). */
  boolean send(T message) {
    requireNonNull(message, "message");
    if (done) {
      return false;
    }
    queue.add(message);
    drain();
    return true;
  }

  /** Half-closes the call after every message queued so far. */
  void halfClose() {
    queue.add(HALF_CLOSE);
    drain();
  }

  /** Cancels the call after every command queued so far. */
  void cancel(String reason) {
    queue.add(new Cancel(reason));
    drain();
  }

  /** Drops every later message: the call has ended. */
  void markDone() {
    done = true;
  }

  private void drain() {
    if (work.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Object command;
      while ((command = queue.poll()) != null) {
        write(command);
      }
      missed = work.addAndGet(-missed);
    } while (missed != 0);
  }

  @SuppressWarnings("unchecked")
  private void write(Object command) {
    if (command instanceof Cancel cancel) {
      done = true;
      try {
        call.cancel(cancel.reason, null);
      } catch (RuntimeException e) {
        LOG.debug("cancelling {} failed: {}", name, LogText.escape(e));
      }
      return;
    }
    if (done) {
      if (command != HALF_CLOSE) {
        LOG.debug("{} has ended; a message was dropped", name);
      }
      return;
    }
    try {
      if (command == HALF_CLOSE) {
        done = true;
        call.onCompleted();
      } else {
        call.onNext((T) command);
      }
    } catch (RuntimeException e) {
      // the call was closed under us (cancelled, failed): nothing more can be written
      done = true;
      LOG.debug("writing to {} failed; dropping later messages: {}", name, LogText.escape(e));
    }
  }

  private record Cancel(String reason) {}
}
