package dev.nitricws.it.faults;

import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.domain.ConnectionRegistry;
import java.util.List;

/** A Redis of the test's own (see {@link LocalRedis}) is killed (SIGKILL) under the churn and started again. */
class RedisOutageIT extends StoreOutageContract {

  private LocalRedis redis;

  @Override
  protected void startServer() {
    redis = LocalRedis.start();
  }

  @Override
  protected void crashServer() {
    redis.kill();
  }

  @Override
  protected void startServerAgain() {
    redis.startAgain();
  }

  @Override
  protected void closeServer() {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected List<String> storeFlags() {
    return List.of("--store=redis", "--redis-url=" + redis.url());
  }

  @Override
  protected ConnectionRegistry openRegistry() {
    return RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(redis.url()));
  }

  @Override
  protected String serverName() {
    return "Redis";
  }

  @Override
  protected String storeFailureSign() {
    return "Redis at " + redis.url();
  }
}
