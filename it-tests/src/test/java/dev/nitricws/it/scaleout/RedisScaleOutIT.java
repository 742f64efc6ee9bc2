package dev.nitricws.it.scaleout;

import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.it.redis.RedisServers;
import java.util.List;

/** Two app processes on one socket, sharing connections in Redis. */
class RedisScaleOutIT extends ScaleOutContract {

  @Override
  protected List<String> storeFlags() {
    return List.of("--store=redis", "--redis-url=" + RedisServers.standaloneUrl());
  }

  @Override
  protected ConnectionRegistry openRegistry() {
    return RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(RedisServers.standaloneUrl()));
  }
}
