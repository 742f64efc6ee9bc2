package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

/**
 * The name of a websocket resource, as declared to Nitric (for example {@code "chat"}).
 *
 * <p>Names follow Nitric's resource naming rule (see {@link ResourceName}): lower kebab case,
 * {@code ^[a-z0-9]+(-[a-z0-9]+)*$}, 1 to 64 characters. A name the Nitric CLI would refuse at
 * deployment is refused here, at start-up. The restricted alphabet also lets stores use the name
 * in keys and prefixes without escaping.
 */
public record SocketName(String value) {

  /** The longest name accepted. */
  public static final int MAX_LENGTH = ResourceName.MAX_LENGTH;

  public SocketName {
    ResourceName.check(requireNonNull(value, "value"), "socket name");
  }

  /** Shorthand for {@code new SocketName(value)}. */
  public static SocketName of(String value) {
    return new SocketName(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
