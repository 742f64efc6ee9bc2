package dev.nitricws.it.scaleout;

import dev.nitricws.adapters.postgres.PostgresConnectionRegistry;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.it.e2e.PostgresStoreChatIT;
import dev.nitricws.it.postgres.PostgresServers;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * Two app processes on one socket, sharing connections in PostgreSQL (a schema of this class's
 * own, which the two instances migrate as they start side by side; dropped afterwards).
 */
class PostgresScaleOutIT extends ScaleOutContract {

  private static final String SCHEMA = PostgresServers.freshSchema();

  @AfterAll
  static void dropSchema() {
    PostgresServers.server().dropSchema(SCHEMA);
  }

  @Override
  protected List<String> storeFlags() {
    return PostgresStoreChatIT.flags(PostgresServers.server(), SCHEMA);
  }

  @Override
  protected ConnectionRegistry openRegistry() {
    return PostgresConnectionRegistry.start(PostgresServers.server().config(SCHEMA));
  }
}
