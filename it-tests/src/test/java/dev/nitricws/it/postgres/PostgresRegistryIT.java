package dev.nitricws.it.postgres;

import dev.nitricws.adapters.postgres.PostgresConnectionRegistry;
import dev.nitricws.contract.ConnectionRegistryContract;
import dev.nitricws.domain.ConnectionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The registry contract on a real PostgreSQL server, in a schema of this run's own. */
class PostgresRegistryIT extends ConnectionRegistryContract {

  private static PostgresServers.Server server;
  private static String schema;
  private static PostgresConnectionRegistry registry;

  @BeforeAll
  static void start() {
    server = PostgresServers.server();
    schema = PostgresServers.freshSchema();
    registry = PostgresConnectionRegistry.start(server.config(schema));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    if (server != null && schema != null) {
      server.dropSchema(schema);
    }
  }

  @Override
  protected ConnectionRegistry registry() {
    return registry;
  }
}
