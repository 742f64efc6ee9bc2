package dev.nitricws.adapters.postgres;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.LogText;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How to reach the PostgreSQL database of a {@link PostgresConnectionRegistry} and how to use it.
 * Built with {@link #builder()} (or {@link #forUrl} / {@link #forServer} for the defaults); a copy
 * with changes with {@link #toBuilder()}. Validates itself: a bad value throws {@link
 * IllegalArgumentException} whose message starts with the setting's name and says the rule. The
 * builder checks each value as it is set, with the same rules. {@link #toString()} masks the
 * password.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/database[?parameters]}; must not hold a
 *     password (give it as {@code password}, so the URL can be logged and shown in errors)
 * @param user the database user; null to take it from the URL or the driver's default
 * @param password the user's password; null when the server needs none
 * @param schema the schema holding the table and the migration history; lowercase letters,
 *     digits and {@code _}, default {@value #DEFAULT_SCHEMA}
 * @param poolSize database connections, and threads running store work; 1 to {@value #MAX_POOL_SIZE}
 * @param connectionTimeout the longest wait for a database connection; 250 ms to 10 min
 * @param statementTimeout the longest a statement may run (server side {@code statement_timeout}),
 *     1 ms to 1 h; or zero: the registry sets no limit of its own, so the server's setting
 *     applies (PostgreSQL's default, {@code statement_timeout = 0}, is no limit)
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

  /** Every rule, in one place: the builder's setters run the same checks. */
  public PostgresRegistryConfig {
    checkJdbcUrl(jdbcUrl);
    checkUser(user);
    checkPassword(password);
    checkSchema(schema);
    checkPoolSize(poolSize);
    checkConnectionTimeout(connectionTimeout);
    checkStatementTimeout(statementTimeout);
    checkPurgeInterval(purgeInterval);
    checkMaxQueued(maxQueued);
  }

  /** A builder with every default and no URL yet. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return builder().jdbcUrl(jdbcUrl).user(user).password(password).schema(schema).poolSize(poolSize)
        .connectionTimeout(connectionTimeout).statementTimeout(statementTimeout).purgeInterval(purgeInterval)
        .maxQueued(maxQueued).migrate(migrate);
  }

  /** A configuration for the database at {@code jdbcUrl}, with every default. */
  public static PostgresRegistryConfig forUrl(String jdbcUrl) {
    return builder().jdbcUrl(jdbcUrl).build();
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
      throw new IllegalArgumentException("host '" + LogText.escape(host, 80) + "' must be a host name, an IPv4 address"
          + " or an IPv6 address in brackets");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
    }
    if (database.isEmpty() || database.length() > 63 || database.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("database '" + LogText.escape(database, 80) + "' must have 1 to 63 characters"
          + " and no control characters");
    }
    String path = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    return builder().jdbcUrl("jdbc:postgresql://" + host + ":" + port + "/" + path).user(user).password(password).build();
  }

  /** Throws {@link IllegalArgumentException} naming the rule when {@code schema} is not a plain schema name. */
  public static void checkSchema(String schema) {
    requireNonNull(schema, "schema");
    if (!SCHEMA.matcher(schema).matches() || schema.startsWith("pg_")) {
      throw new IllegalArgumentException("schema '" + LogText.escape(schema, 80) + "' is refused: " + SCHEMA_RULE);
    }
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

  /**
   * Collects the settings of a {@link PostgresRegistryConfig}; each setter checks its value and
   * throws as the record would. {@link #build()} needs the URL.
   */
  public static final class Builder {
    private String jdbcUrl;
    private String user;
    private String password;
    private String schema = DEFAULT_SCHEMA;
    private int poolSize = DEFAULT_POOL_SIZE;
    private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
    private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
    private Duration purgeInterval = DEFAULT_PURGE_INTERVAL;
    private int maxQueued = DEFAULT_MAX_QUEUED;
    private boolean migrate = true;

    private Builder() {}

    public Builder jdbcUrl(String jdbcUrl) {
      this.jdbcUrl = checkJdbcUrl(jdbcUrl);
      return this;
    }

    /** @param user null to take it from the URL or the driver's default */
    public Builder user(String user) {
      this.user = checkUser(user);
      return this;
    }

    /** @param password null when the server needs none */
    public Builder password(String password) {
      this.password = checkPassword(password);
      return this;
    }

    public Builder schema(String schema) {
      checkSchema(schema);
      this.schema = schema;
      return this;
    }

    public Builder poolSize(int poolSize) {
      this.poolSize = checkPoolSize(poolSize);
      return this;
    }

    public Builder connectionTimeout(Duration connectionTimeout) {
      this.connectionTimeout = checkConnectionTimeout(connectionTimeout);
      return this;
    }

    /** @param statementTimeout zero: the registry sets no limit (the server's setting applies) */
    public Builder statementTimeout(Duration statementTimeout) {
      this.statementTimeout = checkStatementTimeout(statementTimeout);
      return this;
    }

    /** @param purgeInterval zero: no background purge */
    public Builder purgeInterval(Duration purgeInterval) {
      this.purgeInterval = checkPurgeInterval(purgeInterval);
      return this;
    }

    public Builder maxQueued(int maxQueued) {
      this.maxQueued = checkMaxQueued(maxQueued);
      return this;
    }

    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /** @throws NullPointerException when no URL was given */
    public PostgresRegistryConfig build() {
      return new PostgresRegistryConfig(jdbcUrl, user, password, schema, poolSize, connectionTimeout,
          statementTimeout, purgeInterval, maxQueued, migrate);
    }
  }

  // --------------------------------------------------------------------------- the rules

  private static String checkJdbcUrl(String jdbcUrl) {
    requireNonNull(jdbcUrl, "jdbcUrl");
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
      throw new IllegalArgumentException("jdbcUrl '" + LogText.escape(jdbcUrl) + "' must not contain white space"
          + " or control characters");
    }
    return jdbcUrl;
  }

  private static String checkUser(String user) {
    if (user != null && (user.isBlank() || user.chars().anyMatch(Character::isISOControl))) {
      throw new IllegalArgumentException("user '" + LogText.escape(user) + "' must not be blank or hold control"
          + " characters (use null to take the user from the URL)");
    }
    return user;
  }

  private static String checkPassword(String password) {
    if (password != null && password.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException("password must not contain U+0000");
    }
    return password;
  }

  private static int checkPoolSize(int poolSize) {
    return checkCount("poolSize", poolSize, MAX_POOL_SIZE);
  }

  private static int checkMaxQueued(int maxQueued) {
    return checkCount("maxQueued", maxQueued, 1_000_000);
  }

  private static int checkCount(String name, int value, int max) {
    if (value < 1 || value > max) {
      throw new IllegalArgumentException(name + " must be between 1 and " + max + ", got " + value);
    }
    return value;
  }

  private static Duration checkConnectionTimeout(Duration connectionTimeout) {
    return checkRange("connectionTimeout", connectionTimeout, Duration.ofMillis(250), Duration.ofMinutes(10), false);
  }

  private static Duration checkStatementTimeout(Duration statementTimeout) {
    return checkRange("statementTimeout", statementTimeout, Duration.ofMillis(1), Duration.ofHours(1), true);
  }

  private static Duration checkPurgeInterval(Duration purgeInterval) {
    return checkRange("purgeInterval", purgeInterval, Duration.ofSeconds(1), Duration.ofDays(1), true);
  }

  private static Duration checkRange(String name, Duration value, Duration min, Duration max, boolean zeroAllowed) {
    requireNonNull(value, name);
    if (zeroAllowed && value.isZero()) {
      return value;
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "zero (none) or " : "")
          + "between " + min.toString().toLowerCase(Locale.ROOT).substring(2) + " and "
          + max.toString().toLowerCase(Locale.ROOT).substring(2) + ", got " + value);
    }
    return value;
  }


}
