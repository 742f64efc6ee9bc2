package dev.nitricws.runtime.checks;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The runtime's one check for a timeout or interval setting: present and longer than zero. The
 * builder checks what an embedder sets, and the parts it wires (the handler registry, the
 * key-value storage) check what they are given, all with these words.
 */
public final class PositiveDuration {

  private PositiveDuration() {}

  /**
   * Returns {@code d} when it is positive.
   *
   * @throws NullPointerException naming {@code name} when {@code d} is null
   * @throws IllegalArgumentException "{@code name} must be positive, was {@code d}" otherwise
   */
  public static Duration require(String name, Duration d) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
    return d;
  }
}
