package dev.nitricws.adapters.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;

/**
 * The HikariCP pools of a registry: the registry's own, and the short-lived one the migrations
 * run on. The URL is given to the driver as it is; its parameters win over the settings here.
 */
final class PostgresPool {

  private PostgresPool() {}

  /**
   * Opens the registry's pool.
   *
   * @throws dev.nitricws.domain.ConnectionStoreException naming the database when the pool cannot open
   */
  static HikariDataSource open(PostgresRegistryConfig config) {
    try {
      return new HikariDataSource(settings(config));
    } catch (RuntimeException e) {
      throw PostgresFailures.failure(config, "cannot open a connection", e);
    }
  }

  /** The registry pool's settings: the URL as given (its parameters reach the driver and win over these), user, password, limits. */
  static HikariConfig settings(PostgresRegistryConfig config) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("nitricws-postgres-" + config.schema());
    hikari.setJdbcUrl(config.jdbcUrl());
    if (config.user() != null) {
      hikari.setUsername(config.user());
    }
    if (config.password() != null) {
      hikari.setPassword(config.password());
    }
    hikari.setMaximumPoolSize(config.poolSize());
    long connectMillis = config.connectionTimeout().toMillis();
    hikari.setConnectionTimeout(connectMillis);
    hikari.setValidationTimeout(Math.max(250, Math.min(5_000, connectMillis - 1)));
    // the driver's own settings; a parameter in the URL wins over these
    hikari.addDataSourceProperty("ApplicationName", "nitric-ws");
    hikari.addDataSourceProperty("connectTimeout", Long.toString(ceilSeconds(config.connectionTimeout())));
    hikari.addDataSourceProperty("tcpKeepAlive", "true");
    if (!config.statementTimeout().isZero()) {
      // the server cancels a statement after statementTimeout; the socket timeout is the backstop
      // for a server that stops answering at all
      hikari.setConnectionInitSql("SET statement_timeout = " + config.statementTimeout().toMillis());
      hikari.addDataSourceProperty("socketTimeout",
          Long.toString(ceilSeconds(config.statementTimeout()) + ceilSeconds(config.connectionTimeout())));
    }
    return hikari;
  }

  /**
   * The migration pool's settings: those of the registry's pool with two connections (Flyway holds
   * a lock on one while it migrates on another, and the registry's pool may have one), none kept
   * idle, and no statement or socket timeout.
   */
  static HikariConfig migrationSettings(PostgresRegistryConfig config) {
    HikariConfig settings = settings(config);
    settings.setPoolName("nitricws-postgres-migrate-" + config.schema());
    settings.setMaximumPoolSize(2);
    settings.setMinimumIdle(0);
    settings.setConnectionInitSql(null);
    settings.getDataSourceProperties().remove("socketTimeout");
    return settings;
  }

  private static long ceilSeconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }
}
