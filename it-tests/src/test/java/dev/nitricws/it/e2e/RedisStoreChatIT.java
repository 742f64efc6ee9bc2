package dev.nitricws.it.e2e;

import dev.nitricws.it.redis.RedisServers;
import java.util.List;

/** The chat end to end with connections in Redis. */
class RedisStoreChatIT extends ChatEndToEndContract {
  @Override
  protected List<String> storeFlags() {
    return List.of("--store=redis", "--redis-url=" + RedisServers.standaloneUrl());
  }
}
