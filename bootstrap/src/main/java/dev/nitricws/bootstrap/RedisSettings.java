package dev.nitricws.bootstrap;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The Redis store's settings ({@code --store=redis}).
 *
 * @param url redis:// or rediss:// URL, several host:port pairs for a cluster; may hold a password
 * @param cluster whether the URL names a Redis Cluster
 * @param commandTimeout how long one command may take
 */
public record RedisSettings(String url, boolean cluster, Duration commandTimeout) {

  public RedisSettings {
    requireNonNull(commandTimeout, "commandTimeout");
    Durations.requirePositive("--redis-command-timeout", commandTimeout);
  }

  /** Whether a URL was given. */
  boolean configured() {
    return url != null && !url.isBlank();
  }

  @Override
  public String toString() {
    return "RedisSettings[cluster=" + cluster + ", commandTimeout=" + commandTimeout + "]";
  }
}
