package dev.nitricws.adapters.nitric.events;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.PositiveDuration;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: {@code initial} doubling per failure up to {@code max}, each
 * delay drawn between half and all of that value so that many streams do not retry in step.
 */
record Backoff(Duration initial, Duration max) {

  /** 100 ms doubling to 5 s. */
  static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  Backoff {
    PositiveDuration.require("backoff initial delay", initial);
    requireNonNull(max, "max");
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff max delay " + max + " must not be less than the initial delay " + initial);
    }
  }

  /** The delay before try number {@code failures + 1} (after {@code failures} failures, at least 1). */
  Duration delay(int failures) {
    long ceiling = ceilingMillis(failures);
    long floor = Math.max(1, ceiling / 2);
    return Duration.ofMillis(floor >= ceiling ? ceiling : ThreadLocalRandom.current().nextLong(floor, ceiling + 1));
  }

  /** The delay without jitter. */
  long ceilingMillis(int failures) {
    long millis = initial.toMillis();
    long cap = max.toMillis();
    for (int i = 1; i < failures && millis < cap; i++) {
      millis *= 2;
    }
    return Math.min(millis, cap);
  }
}
