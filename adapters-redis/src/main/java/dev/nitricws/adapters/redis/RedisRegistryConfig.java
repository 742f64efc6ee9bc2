package dev.nitricws.adapters.redis;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.PositiveDuration;
import java.time.Duration;

/**
 * How to reach the Redis that keeps the connections. Built with {@link #builder()} (or {@link
 * #standalone} / {@link #cluster(String)} for the defaults); a copy with changes with {@link
 * #toBuilder()}. Validates itself: a bad value throws {@link IllegalArgumentException} whose
 * message starts with the setting's name (the URI's, with {@code Redis URI}) and says the rule.
 * The builder checks the timeout and the prefix as they are set, with the same rules, and the URI
 * when it builds (the rule depends on {@code cluster}).
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

  /** Every rule, in one place: the builder's setters run the same checks. */
  public RedisRegistryConfig {
    requireNonNull(uri, "uri");
    RedisAddress.parse(uri, cluster);
    checkCommandTimeout(commandTimeout);
    checkKeyPrefix(keyPrefix);
  }

  /** A builder with every default (standalone) and no URI yet. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return builder().uri(uri).cluster(cluster).commandTimeout(commandTimeout).keyPrefix(keyPrefix);
  }

  /** A standalone server with the default timeout and key prefix. */
  public static RedisRegistryConfig standalone(String uri) {
    return builder().uri(uri).build();
  }

  /** A Redis Cluster reached through the seed nodes of {@code uri}, with the defaults. */
  public static RedisRegistryConfig cluster(String uri) {
    return builder().uri(uri).cluster(true).build();
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

  /**
   * Collects the settings of a {@link RedisRegistryConfig}; the timeout and the prefix are checked
   * as they are set, the URI by {@link #build()}, which needs it.
   */
  public static final class Builder {
    private String uri;
    private boolean cluster;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private String keyPrefix = DEFAULT_KEY_PREFIX;

    private Builder() {}

    public Builder uri(String uri) {
      this.uri = uri;
      return this;
    }

    /** Whether the URI names Redis Cluster seed nodes; default false, a standalone server. */
    public Builder cluster(boolean cluster) {
      this.cluster = cluster;
      return this;
    }

    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout = checkCommandTimeout(commandTimeout);
      return this;
    }

    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = checkKeyPrefix(keyPrefix);
      return this;
    }

    /** @throws NullPointerException when no URI was given */
    public RedisRegistryConfig build() {
      return new RedisRegistryConfig(uri, cluster, commandTimeout, keyPrefix);
    }
  }

  // --------------------------------------------------------------------------- the rules

  private static Duration checkCommandTimeout(Duration commandTimeout) {
    PositiveDuration.require("commandTimeout", commandTimeout);
    if (commandTimeout.compareTo(MAX_COMMAND_TIMEOUT) > 0) {
      throw new IllegalArgumentException("commandTimeout must be at most " + MAX_COMMAND_TIMEOUT + ", got " + commandTimeout);
    }
    return commandTimeout;
  }

  private static String checkKeyPrefix(String keyPrefix) {
    requireNonNull(keyPrefix, "keyPrefix");
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
    return keyPrefix;
  }

  private static String describe(char c) {
    String shown = Character.isISOControl(c) || Character.isWhitespace(c) ? "" : "'" + c + "' ";
    return shown + String.format("(U+%04X)", (int) c);
  }
}
