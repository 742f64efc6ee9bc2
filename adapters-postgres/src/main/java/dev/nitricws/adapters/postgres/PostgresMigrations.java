package dev.nitricws.adapters.postgres;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema migrations ({@link PostgresConnectionRegistry#MIGRATIONS}), run by Flyway into the
 * configured schema, with its history table ({@link PostgresConnectionRegistry#HISTORY_TABLE})
 * there too. Flyway creates the schema if it is missing and takes an advisory lock, so several
 * instances may start at once.
 */
final class PostgresMigrations {

  /** Logs under the registry's name, as the rest of the registry does. */
  private static final Logger LOG = LoggerFactory.getLogger(PostgresConnectionRegistry.class);

  private PostgresMigrations() {}

  /**
   * Runs the pending migrations on a pool of their own ({@link PostgresPool#migrationSettings}),
   * closed when they are done. Blocks while it does.
   *
   * @throws dev.nitricws.domain.ConnectionStoreException naming the database when a migration fails
   */
  static void run(PostgresRegistryConfig config) {
    try (HikariDataSource dataSource = new HikariDataSource(PostgresPool.migrationSettings(config))) {
      MigrateResult result = Flyway.configure(PostgresMigrations.class.getClassLoader())
          .dataSource(dataSource)
          .schemas(config.schema())
          .defaultSchema(config.schema())
          .createSchemas(true)
          .table(PostgresConnectionRegistry.HISTORY_TABLE)
          .locations(PostgresConnectionRegistry.MIGRATIONS)
          .load()
          .migrate();
      LOG.info("postgres registry schema {}: {} migration(s) applied, now at version {}",
          config.schema(), result.migrationsExecuted,
          result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion);
    } catch (RuntimeException e) {
      throw PostgresFailures.failure(config, "schema migration failed", e);
    }
  }
}
