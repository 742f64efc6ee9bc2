package dev.nitricws.runtime.gateway;

import java.util.concurrent.TimeUnit;

/**
 * A token bucket per connection: {@code perSecond} messages a second, in bursts of as many. Its
 * connection asks it for each whole message (after the frame aggregator) and closes a client over
 * it with 1008 "rate limit", dropping the message. Event-loop confined; one per connection.
 */
final class MessageRateLimiter {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final int perSecond;
  private final long nanosPerToken;
  private double tokens;
  private long refilledAt = System.nanoTime();

  MessageRateLimiter(int perSecond) {
    this.perSecond = perSecond;
    this.nanosPerToken = SECOND / perSecond;
    this.tokens = perSecond;
  }

  int perSecond() {
    return perSecond;
  }

  /** Whether one more message is within the rate now (taking its token if so). */
  boolean admit() {
    long now = System.nanoTime();
    tokens = Math.min(perSecond, tokens + (double) (now - refilledAt) / nanosPerToken);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
