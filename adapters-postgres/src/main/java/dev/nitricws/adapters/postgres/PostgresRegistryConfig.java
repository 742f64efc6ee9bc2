package dev.nitricws.adapters.postgres;

import static java.util.Objects.requireNonNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How to reach the PostgreSQL database of a {@link PostgresConnectionRegistry} and how to use it.
 * Validates itself: a bad value throws {@link IllegalArgumentException} naming the value and the
 * rule. {@link #toString()} masks the password.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/database[?parameters]}; must not hold a
 *     password (give it as {@code password}, so the URL can be logged and shown in errors)
 * @param user the database user; null to take it from the URL or the driver's default
 * @param password the user's password; null when the server needs none
 * @param schema the schema holding the table and the migration history; lowercase letters,
 *     digits and {@code _}, default {@value #DEFAULT_SCHEMA}
 * @param poolSize database connections, and threads running store work; 1 to {@value #MAX_POOL_SIZE}
 * @param connectionTimeout the longest wait for a database connection; 250 ms to 10 min
 * @param statementTimeout the longest a statement may run (server side {@code statement_timeout});
 *     zero for no limit, otherwise 1 ms to 1 h
 * @param purgeInterval how often expired rows are deleted in the background; zero for never
 *     (then call {@link PostgresConnectionRegistry#purgeExpired()} yourself), otherwise 1 s to 1 day
 * @param maxQueued operations accepted while every connection is busy; beyond that an operation
 *     fails at once with a {@link dev.nitricws.domain.ConnectionStoreException}; 1 to 1,000,000
 * @param migrate whether to run the schema migrations at start-up
 */
public record PostgresRegistryConfig(
    String jdbcUrl,
    String user,
    String password,
    String schema,
    int poolSize,
    Duration connectionTimeout,
    Duration statementTimeout,
    Duration purgeInterval,
    int maxQueued,
    boolean migrate) {

  public static final String DEFAULT_SCHEMA = "nitricws";
  public static final int DEFAULT_POOL_SIZE = 10;
  public static final int MAX_POOL_SIZE = 200;
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_PURGE_INTERVAL = Duration.ofMinutes(1);
  public static final int DEFAULT_MAX_QUEUED = 10_000;

  private static final String URL_PREFIX = "jdbc:postgresql:";
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final String SCHEMA_RULE = "a schema name has 1 to 63 characters, lowercase letters a-z,"
      + " digits and '_', starts with a letter or '_', and does not start with 'pg_'";
  private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&][a-z]*password=)[^&]*");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]");

  public PostgresRegistryConfig {
    requireNonNull(jdbcUrl, "jdbcUrl");
    requireNonNull(schema, "schema");
    requireNonNull(connectionTimeout, "connectionTimeout");
    requireNonNull(statementTimeout, "statementTimeout");
    requireNonNull(purgeInterval, "purgeInterval");
    if (PASSWORD_PARAMETER.matcher(jdbcUrl).find()) {
      // never echo this URL: it holds the secret
      throw new IllegalArgumentException("jdbcUrl " + redact(jdbcUrl) + " holds a password parameter;"
          + " give the password as the password setting instead, so the URL can be logged safely");
    }
    if (!jdbcUrl.startsWith(URL_PREFIX) || jdbcUrl.length() == URL_PREFIX.length()) {
      throw new IllegalArgumentException("jdbcUrl '" + jdbcUrl + "' must start with '" + URL_PREFIX
          + "', e.g. jdbc:postgresql://127.0.0.1:5432/app");
    }
    if (jdbcUrl.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new IllegalArgumentException("jdbcUrl '" + printable(jdbcUrl) + "' must not contain white space"
          + " or control characters");
    }
    if (user != null && (user.isBlank() || user.chars().anyMatch(Character::isISOControl))) {
      throw new IllegalArgumentException("user '" + printable(user) + "' must not be blank or hold control"
          + " characters (use null to take the user from the URL)");
    }
    if (password != null && password.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException("password must not contain U+0000");
    }
    checkSchema(schema);
    if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
      throw new IllegalArgumentException("poolSize must be between 1 and " + MAX_POOL_SIZE + ", got " + poolSize);
    }
    checkRange("connectionTimeout", connectionTimeout, Duration.ofMillis(250), Duration.ofMinutes(10), false);
    checkRange("statementTimeout", statementTimeout, Duration.ofMillis(1), Duration.ofHours(1), true);
    checkRange("purgeInterval", purgeInterval, Duration.ofSeconds(1), Duration.ofDays(1), true);
    if (maxQueued < 1 || maxQueued > 1_000_000) {
      throw new IllegalArgumentException("maxQueued must be between 1 and 1000000, got " + maxQueued);
    }
  }

  /** A configuration for the database at {@code jdbcUrl}, with every default. */
  public static PostgresRegistryConfig forUrl(String jdbcUrl) {
    return new PostgresRegistryConfig(jdbcUrl, null, null, DEFAULT_SCHEMA, DEFAULT_POOL_SIZE,
        DEFAULT_CONNECTION_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, DEFAULT_PURGE_INTERVAL, DEFAULT_MAX_QUEUED, true);
  }

  /**
   * A configuration for {@code database} on {@code host:port}, with every default.
   *
   * @param user null for the driver's default
   * @param password null when the server needs none
   */
  public static PostgresRegistryConfig forServer(String host, int port, String database, String user, String password) {
    requireNonNull(host, "host");
    requireNonNull(database, "database");
    if (!HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("host '" + printable(host) + "' must be a host name, an IPv4 address"
          + " or an IPv6 address in brackets");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
    }
    if (database.isEmpty() || database.length() > 63 || database.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("database '" + printable(database) + "' must have 1 to 63 characters"
          + " and no control characters");
    }
    String path = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    return forUrl("jdbc:postgresql://" + host + ":" + port + "/" + path).withUser(user).withPassword(password);
  }

  /** Throws {@link IllegalArgumentException} naming the rule when {@code schema} is not a plain schema name. */
  public static void checkSchema(String schema) {
    requireNonNull(schema, "schema");
    if (!SCHEMA.matcher(schema).matches() || schema.startsWith("pg_")) {
      throw new IllegalArgumentException("schema '" + printable(schema) + "' is refused: " + SCHEMA_RULE);
    }
  }

  public PostgresRegistryConfig withUser(String user) {
    return new PostgresRegistryConfig(jdbcUrl, user, password, schema, poolSize, connectionTimeout,
        statementTimeout, purgeInterval, maxQueued, migrate);
  }

  public PostgresRegistryConfig withPassword(String password) {
    return new PostgresRegistryConfig(jdbcUrl, user, password, schema, poolSize, connectionTimeout,
        statementTimeout, purgeInterval, maxQueued, migrate);
  }

  public PostgresRegistryConfig withSchema(String schema) {
    return new PostgresRegistryConfig(jdbcUrl, user, password, schema, poolSize, connectionTimeout,
        statementTimeout, purgeInterval, maxQueued, migrate);
  }

  public PostgresRegistryConfig withPoolSize(int poolSize) {
    return new PostgresRegistryConfig(jdbcUrl, user, password, schema, poolSize, connectionTimeout,
        statementTimeout, purgeInterval, maxQueued, migrate);
  }

  public PostgresRegistryConfig withConnectionTimeout(Duration connectionTimeout) {
    return new PostgresRegistryConfig(jdbcUrl, user, password, schema, poolSize, connectionTimeout,
        statementTimeout, purgeInterval, maxQueued, migrate);
  }

  public PostgresRegistryConfig withStatementTimeout(Duration statementTimeout) {
    return new PostgresRegistryConfig(jdbcUrl, user, password, schema, poolSize, connectionTimeout,
        statementTimeout, purgeInterval, maxQueued, migrate);
  }

  public PostgresRegistryConfig withPurgeInterval(Duration purgeInterval) {
    return new PostgresRegistryConfig(jdbcUrl, user, password, schema, poolSize, connectionTimeout,
        statementTimeout, purgeInterval, maxQueued, migrate);
  }

  public PostgresRegistryConfig withMaxQueued(int maxQueued) {
    return new PostgresRegistryConfig(jdbcUrl, user, password, schema, poolSize, connectionTimeout,
        statementTimeout, purgeInterval, maxQueued, migrate);
  }

  public PostgresRegistryConfig withMigrate(boolean migrate) {
    return new PostgresRegistryConfig(jdbcUrl, user, password, schema, poolSize, connectionTimeout,
        statementTimeout, purgeInterval, maxQueued, migrate);
  }

  /** Where the registry lives, for messages and logs: the URL (which holds no password) and the schema. */
  public String describe() {
    return jdbcUrl + " (schema " + schema + ")";
  }

  /** {@code url} with the value of any {@code password} (or {@code sslpassword}) parameter replaced by {@code ****}. */
  public static String redact(String url) {
    return url == null ? null : PASSWORD_PARAMETER.matcher(url).replaceAll("$1****");
  }

  @Override
  public String toString() {
    return "PostgresRegistryConfig[jdbcUrl=" + jdbcUrl + ", user=" + user
        + ", password=" + (password == null ? "(none)" : "****") + ", schema=" + schema
        + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout
        + ", statementTimeout=" + statementTimeout + ", purgeInterval=" + purgeInterval
        + ", maxQueued=" + maxQueued + ", migrate=" + migrate + "]";
  }

  private static void checkRange(String name, Duration value, Duration min, Duration max, boolean zeroAllowed) {
    if (zeroAllowed && value.isZero()) {
      return;
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "zero (none) or " : "")
          + "between " + min.toString().toLowerCase(Locale.ROOT).substring(2) + " and "
          + max.toString().toLowerCase(Locale.ROOT).substring(2) + ", got " + value);
    }
  }

  /** The value cut to a readable length with control characters escaped, for messages. */
  private static String printable(String value) {
    String cut = value.length() > 80 ? value.substring(0, 80) + "..." : value;
    StringBuilder out = new StringBuilder(cut.length());
    cut.chars().forEach(c -> {
      if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.append((char) c);
      }
    });
    return out.toString();
  }
}
