package dev.nitricws.adapters.redis;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How to reach the Redis that keeps the connections, validated when built.
 *
 * @param uri {@code redis://[[user:]password@]host[:port][/db]}, {@code rediss://} for TLS; for a
 *     cluster, one or more seed nodes: {@code redis://[[user:]password@]host:port,host:port}.
 *     User and password may be percent-encoded. Query parameters are refused.
 * @param cluster whether {@code uri} names Redis Cluster seed nodes (database 0 only)
 * @param commandTimeout how long one command may take before its stage fails; also the connect
 *     timeout. More than zero and at most 10 minutes.
 * @param keyPrefix put before every key; up to 64 letters, digits, {@code : _ . -} (no braces: the
 *     socket name in braces is the hash tag of every key)
 */
public record RedisRegistryConfig(String uri, boolean cluster, Duration commandTimeout, String keyPrefix) {

  /** The command timeout of {@link #standalone} and {@link #cluster(String)}. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

  /** The key prefix of {@link #standalone} and {@link #cluster(String)}. */
  public static final String DEFAULT_KEY_PREFIX = "nws:";

  /** The longest command timeout accepted. */
  public static final Duration MAX_COMMAND_TIMEOUT = Duration.ofMinutes(10);

  /** The longest key prefix accepted. */
  public static final int MAX_KEY_PREFIX_LENGTH = 64;

  public RedisRegistryConfig {
    requireNonNull(uri, "uri");
    requireNonNull(commandTimeout, "commandTimeout");
    requireNonNull(keyPrefix, "keyPrefix");
    RedisAddress.parse(uri, cluster);
    if (commandTimeout.isZero() || commandTimeout.isNegative() || commandTimeout.compareTo(MAX_COMMAND_TIMEOUT) > 0) {
      throw new IllegalArgumentException("commandTimeout must be more than 0 and at most "
          + MAX_COMMAND_TIMEOUT + ", got " + commandTimeout);
    }
    if (keyPrefix.length() > MAX_KEY_PREFIX_LENGTH) {
      throw new IllegalArgumentException("keyPrefix must have at most " + MAX_KEY_PREFIX_LENGTH
          + " characters, got " + keyPrefix.length());
    }
    for (int i = 0; i < keyPrefix.length(); i++) {
      char c = keyPrefix.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == ':' || c == '_' || c == '.' || c == '-';
      if (!ok) {
        throw new IllegalArgumentException("keyPrefix '" + keyPrefix + "' has " + describe(c) + " at index " + i
            + "; a key prefix uses letters, digits, ':', '_', '.' and '-'");
      }
    }
  }

  /** A standalone server with the default timeout and key prefix. */
  public static RedisRegistryConfig standalone(String uri) {
    return new RedisRegistryConfig(uri, false, DEFAULT_COMMAND_TIMEOUT, DEFAULT_KEY_PREFIX);
  }

  /** A Redis Cluster reached through the seed nodes of {@code uri}, with the defaults. */
  public static RedisRegistryConfig cluster(String uri) {
    return new RedisRegistryConfig(uri, true, DEFAULT_COMMAND_TIMEOUT, DEFAULT_KEY_PREFIX);
  }

  /** A copy with another command timeout. */
  public RedisRegistryConfig withCommandTimeout(Duration timeout) {
    return new RedisRegistryConfig(uri, cluster, timeout, keyPrefix);
  }

  /** A copy with another key prefix. */
  public RedisRegistryConfig withKeyPrefix(String prefix) {
    return new RedisRegistryConfig(uri, cluster, commandTimeout, prefix);
  }

  /** The URI with any password replaced by {@code ****}: what logs and messages show. */
  public String maskedUri() {
    return address().masked();
  }

  /** The parsed URI. */
  RedisAddress address() {
    return RedisAddress.parse(uri, cluster);
  }

  /** Never shows the password. */
  @Override
  public String toString() {
    return "RedisRegistryConfig[uri=" + maskedUri() + ", cluster=" + cluster + ", commandTimeout="
        + commandTimeout + ", keyPrefix=" + keyPrefix + "]";
  }

  private static String describe(char c) {
    String shown = Character.isISOControl(c) || Character.isWhitespace(c) ? "" : "'" + c + "' ";
    return shown + String.format("(U+%04X)", (int) c);
  }
}
