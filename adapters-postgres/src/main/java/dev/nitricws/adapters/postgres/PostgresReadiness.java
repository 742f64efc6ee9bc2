package dev.nitricws.adapters.postgres;

import dev.nitricws.domain.ConnectionStoreException;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The check at start-up that the database is ready for the registry: its tables are there. */
final class PostgresReadiness {

  /** Logs under the registry's name, as the rest of the registry does. */
  private static final Logger LOG = LoggerFactory.getLogger(PostgresConnectionRegistry.class);

  private PostgresReadiness() {}

  /**
   * Checks that the tables exist (the connections and the group memberships), and warns when the
   * server's encoding is not UTF8 (texts outside it cannot be stored).
   *
   * @throws ConnectionStoreException naming the database and the first table that is missing or
   *     cannot be checked
   */
  static void check(PostgresRegistryConfig config, Jdbi jdbi) {
    for (String table : List.of(PostgresStatements.table(config.schema()),
        PostgresStatements.memberships(config.schema()))) {
      checkTable(config, jdbi, table);
    }
    try {
      String encoding = jdbi.withHandle(h -> h.createQuery("SHOW server_encoding").mapTo(String.class).one());
      if (!"UTF8".equalsIgnoreCase(encoding)) {
        LOG.warn("postgres registry on {}: the server encoding is {}, not UTF8; texts outside it cannot be stored",
            config.describe(), encoding);
      }
    } catch (RuntimeException e) {
      throw PostgresFailures.failure(config, "checking the server encoding failed", e);
    }
  }

  private static void checkTable(PostgresRegistryConfig config, Jdbi jdbi, String table) {
    boolean present;
    try {
      present = jdbi.withHandle(h -> h.createQuery("SELECT to_regclass(:table) IS NOT NULL")
          .bind("table", table).mapTo(Boolean.class).one());
    } catch (RuntimeException e) {
      throw PostgresFailures.failure(config, "checking table " + table + " failed", e);
    }
    if (!present) {
      throw new ConnectionStoreException(PostgresFailures.where(config) + "table " + table + " does not exist;"
          + " start with migrate=true or apply the migrations in " + PostgresConnectionRegistry.MIGRATIONS);
    }
  }
}
