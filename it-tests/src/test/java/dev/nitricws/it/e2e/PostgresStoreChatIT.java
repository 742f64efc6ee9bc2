package dev.nitricws.it.e2e;

import dev.nitricws.it.postgres.PostgresServers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/** The chat end to end with connections in PostgreSQL (a schema of this class's own). */
public class PostgresStoreChatIT extends ChatEndToEndContract {

  private static final String SCHEMA = PostgresServers.freshSchema();

  @AfterAll
  static void dropSchema() {
    PostgresServers.server().dropSchema(SCHEMA);
  }

  @Override
  protected List<String> storeFlags() {
    return flags(PostgresServers.server(), SCHEMA);
  }

  /** The flags that point the app at {@code server}, in {@code schema}. */
  public static List<String> flags(PostgresServers.Server server, String schema) {
    List<String> flags = new ArrayList<>(List.of("--store=postgres", "--postgres-url=" + server.jdbcUrl(),
        "--postgres-schema=" + schema));
    if (server.user() != null) {
      flags.add("--postgres-user=" + server.user());
    }
    if (server.password() != null) {
      flags.add("--postgres-password=" + server.password());
    }
    return flags;
  }
}
