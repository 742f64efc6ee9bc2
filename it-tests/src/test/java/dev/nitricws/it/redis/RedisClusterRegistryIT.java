package dev.nitricws.it.redis;

import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.contract.ConnectionRegistryContract;
import dev.nitricws.domain.ConnectionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The registry contract on a three-master Redis Cluster. */
class RedisClusterRegistryIT extends ConnectionRegistryContract {

  private static RedisConnectionRegistry registry;

  @BeforeAll
  static void connect() {
    registry = RedisConnectionRegistry.connect(RedisRegistryConfig.cluster(RedisServers.clusterUrl()));
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
