package dev.nitricws.adapters.postgres;

import dev.nitricws.domain.ConnectionStoreException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The check at start-up that the database is ready for the registry: its table is there. */
final class PostgresReadiness {

  /** Logs under the registry's name, as the rest of the registry does. */
  private static final Logger LOG = LoggerFactory.getLogger(PostgresConnectionRegistry.class);

  private PostgresReadiness() {}

  /**
   * Checks that the table exists, and warns when the server's encoding is not UTF8 (texts outside
   * it cannot be stored).
   *
   * @throws ConnectionStoreException naming the database and the table when it is missing or
   *     cannot be checked
   */
  static void check(PostgresRegistryConfig config, Jdbi jdbi) {
    String table = PostgresStatements.table(config.schema());
    try {
      boolean present = jdbi.withHandle(h -> h.createQuery("SELECT to_regclass(:table) IS NOT NULL")
          .bind("table", table).mapTo(Boolean.class).one());
      if (!present) {
        throw new ConnectionStoreException(PostgresFailures.where(config) + "table " + table + " does not exist;"
            + " start with migrate=true or apply the migrations in " + PostgresConnectionRegistry.MIGRATIONS);
      }
      String encoding = jdbi.withHandle(h -> h.createQuery("SHOW server_encoding").mapTo(String.class).one());
      if (!"UTF8".equalsIgnoreCase(encoding)) {
        LOG.warn("postgres registry on {}: the server encoding is {}, not UTF8; texts outside it cannot be stored",
            config.describe(), encoding);
      }
    } catch (ConnectionStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw PostgresFailures.failure(config, "checking table " + table + " failed", e);
    }
  }
}
