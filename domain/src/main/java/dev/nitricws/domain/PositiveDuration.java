package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** The one check for a timeout, deadline or lifetime setting: present and longer than zero. */
public final class PositiveDuration {

  private PositiveDuration() {}

  /**
   * Returns {@code d} when it is positive.
   *
   * @throws NullPointerException naming {@code name} when {@code d} is null
   * @throws IllegalArgumentException "{@code name} must be positive, got {@code d}" otherwise
   */
  public static Duration require(String name, Duration d) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }
}
