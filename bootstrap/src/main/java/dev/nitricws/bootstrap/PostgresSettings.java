package dev.nitricws.bootstrap;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The PostgreSQL store's settings ({@code --store=postgres}). The password is never shown.
 *
 * @param url JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/app
 * @param user database user, if not in the URL (may be null)
 * @param password database password (may be null)
 * @param schema schema of the connections table
 * @param poolSize connection pool size
 * @param connectionTimeout how long to wait for a pooled connection
 * @param statementTimeout how long one statement may run
 * @param migrate whether to run the schema migrations at start-up
 */
public record PostgresSettings(
    String url, String user, String password, String schema, int poolSize,
    Duration connectionTimeout, Duration statementTimeout, boolean migrate) {

  public PostgresSettings {
    requireNonNull(schema, "schema");
    requireNonNull(connectionTimeout, "connectionTimeout");
    requireNonNull(statementTimeout, "statementTimeout");
    Durations.requirePositive("--postgres-connection-timeout", connectionTimeout);
    Durations.requirePositive("--postgres-statement-timeout", statementTimeout);
  }

  /** Whether a URL was given. */
  boolean configured() {
    return url != null && !url.isBlank();
  }

  @Override
  public String toString() {
    return "PostgresSettings[schema=" + schema + ", poolSize=" + poolSize + ", connectionTimeout="
        + connectionTimeout + ", statementTimeout=" + statementTimeout + ", migrate=" + migrate + "]";
  }
}
