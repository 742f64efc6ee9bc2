package dev.nitricws.it.redis;

import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.contract.ConnectionRegistryContract;
import dev.nitricws.domain.ConnectionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The registry contract on a standalone Redis. */
class RedisStandaloneRegistryIT extends ConnectionRegistryContract {

  private static RedisConnectionRegistry registry;

  @BeforeAll
  static void connect() {
    registry = RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(RedisServers.standaloneUrl()));
  }

  @AfterAll
  static void close() {
    if (registry != null) {
      registry.close();
    }
  }

  @Override
  protected ConnectionRegistry registry() {
    return registry;
  }
}
