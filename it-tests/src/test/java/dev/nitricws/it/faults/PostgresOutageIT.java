package dev.nitricws.it.faults;

import dev.nitricws.adapters.postgres.PostgresConnectionRegistry;
import dev.nitricws.adapters.postgres.PostgresRegistryConfig;
import dev.nitricws.domain.ConnectionRegistry;
import java.util.List;

/**
 * A PostgreSQL of the test's own (see {@link LocalPostgres}) crashes ({@code pg_ctl stop -m
 * immediate}) under the churn and is started again.
 */
class PostgresOutageIT extends StoreOutageContract {

  private static final String SCHEMA = "nitricws";

  private LocalPostgres postgres;

  @Override
  protected void startServer() {
    postgres = LocalPostgres.start();
  }

  @Override
  protected void crashServer() {
    postgres.crash();
  }

  @Override
  protected void startServerAgain() {
    postgres.startAgain();
  }

  @Override
  protected void closeServer() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  protected List<String> storeFlags() {
    return List.of("--store=postgres", "--postgres-url=" + postgres.jdbcUrl(), "--postgres-user=" + postgres.user(),
        "--postgres-schema=" + SCHEMA);
  }

  @Override
  protected ConnectionRegistry openRegistry() {
    // the app has migrated the schema by now
    return PostgresConnectionRegistry.start(PostgresRegistryConfig.builder().jdbcUrl(postgres.jdbcUrl())
        .user(postgres.user()).schema(SCHEMA).migrate(false).build());
  }

  @Override
  protected String serverName() {
    return "PostgreSQL";
  }

  @Override
  protected String storeFailureSign() {
    return "postgres registry on " + postgres.jdbcUrl();
  }
}
