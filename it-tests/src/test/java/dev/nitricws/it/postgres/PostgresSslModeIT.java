package dev.nitricws.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.postgres.PostgresConnectionRegistry;
import dev.nitricws.adapters.postgres.PostgresRegistryConfig;
import dev.nitricws.domain.ConnectionStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code sslmode} in the JDBC URL reaches the driver on a real server: {@code require} is
 * honoured (it connects over TLS when the server offers it, and is refused when it does not),
 * {@code disable} connects in plaintext either way.
 */
class PostgresSslModeIT {

  private final PostgresServers.Server server = PostgresServers.server();
  private final String schema = PostgresServers.freshSchema();

  @AfterEach
  void drop() {
    server.dropSchema(schema);
  }

  @Test
  void sslModeRequireIsHonouredAndDisableConnectsInPlaintext() {
    boolean serverOffersTls = "on".equals(server.queryOne("SHOW ssl"));

    try (PostgresConnectionRegistry plain = PostgresConnectionRegistry.start(config("sslmode=disable"))) {
      assertThat(plain.count(dev.nitricws.domain.SocketName.of("chat")).toCompletableFuture().join()).isZero();
    }
    if (serverOffersTls) {
      try (PostgresConnectionRegistry tls = PostgresConnectionRegistry.start(config("sslmode=require"))) {
        assertThat(tls.count(dev.nitricws.domain.SocketName.of("chat")).toCompletableFuture().join()).isZero();
      }
    } else {
      assertThatThrownBy(() -> PostgresConnectionRegistry.start(config("sslmode=require")))
          .isInstanceOf(ConnectionStoreException.class)
          .hasMessageContaining("sslmode=require")
          .hasMessageContaining("SSL");
    }
  }

  private PostgresRegistryConfig config(String parameter) {
    String url = server.jdbcUrl() + (server.jdbcUrl().contains("?") ? "&" : "?") + parameter;
    return PostgresRegistryConfig.builder().jdbcUrl(url).user(server.user()).password(server.password()).schema(schema).build();
  }
}
