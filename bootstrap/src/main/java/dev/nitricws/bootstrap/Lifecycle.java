package dev.nitricws.bootstrap;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes what providers opened, newest first; a failure to close one does not stop the rest. */
final class Lifecycle implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private final Deque<Named> opened = new ArrayDeque<>();

  /** Closes {@code resource} when the application stops. */
  synchronized <T extends AutoCloseable> T closeOnStop(String name, T resource) {
    opened.push(new Named(requireNonNull(name, "name"), requireNonNull(resource, "resource")));
    return resource;
  }

  @Override
  public void close() {
    while (true) {
      Named next;
      synchronized (this) {
        next = opened.poll();
      }
      if (next == null) {
        return;
      }
      try {
        next.resource.close();
        LOG.debug("closed {}", next.name);
      } catch (Exception e) {
        LOG.warn("could not close {}", next.name, e);
      }
    }
  }

  private record Named(String name, AutoCloseable resource) {}
}
