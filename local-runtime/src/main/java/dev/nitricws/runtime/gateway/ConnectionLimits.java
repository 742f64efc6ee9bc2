package dev.nitricws.runtime.gateway;

import dev.nitricws.runtime.gateway.UpgradeRequests.Refusal;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the gateway's connections, in all and per client address, across every socket. A
 * connection over a cap is not counted; it is told why it is refused (HTTP 503 over the total,
 * 429 over its address's share) when its request arrives, before any Connect event. Thread-safe.
 */
final class ConnectionLimits {

  static final Refusal TOO_MANY =
      new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many connections");
  static final Refusal TOO_MANY_FROM_ADDRESS =
      new Refusal(HttpResponseStatus.TOO_MANY_REQUESTS, "too many connections from your address");

  private final int maxPerAddress;
  private final int maxTotal;
  private final AtomicInteger total = new AtomicInteger();
  private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

  ConnectionLimits(int maxPerAddress, int maxTotal) {
    this.maxPerAddress = maxPerAddress;
    this.maxTotal = maxTotal;
  }

  /**
   * Counts a new connection, released when it closes.
   *
   * @return null when it is within the caps, else why it is refused
   */
  Refusal admit(Channel channel) {
    InetAddress address = address(channel.remoteAddress());
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return TOO_MANY;
    }
    if (address != null && !takeAddressSlot(address)) {
      total.decrementAndGet();
      return TOO_MANY_FROM_ADDRESS;
    }
    channel.closeFuture().addListener(closed -> {
      total.decrementAndGet();
      if (address != null) {
        releaseAddressSlot(address);
      }
    });
    return null;
  }

  private boolean takeAddressSlot(InetAddress address) {
    boolean[] taken = new boolean[1];
    perAddress.compute(address, (key, count) -> {
      AtomicInteger current = count == null ? new AtomicInteger() : count;
      if (current.get() < maxPerAddress) {
        current.incrementAndGet();
        taken[0] = true;
      }
      return current.get() == 0 ? null : current;
    });
    return taken[0];
  }

  private void releaseAddressSlot(InetAddress address) {
    perAddress.computeIfPresent(address, (key, count) -> count.decrementAndGet() == 0 ? null : count);
  }

  private static InetAddress address(SocketAddress remote) {
    return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}
