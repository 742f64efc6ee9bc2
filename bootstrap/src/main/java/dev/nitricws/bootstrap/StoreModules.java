package dev.nitricws.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.adapters.nitric.NitricRuntimeClient;
import dev.nitricws.adapters.postgres.PostgresConnectionRegistry;
import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.ports.ScopedConnectionRegistry;
import java.time.Clock;

/** One Guice module per store; {@link #forKind} installs exactly one. */
final class StoreModules {

  private StoreModules() {}

  /** The module binding {@link ConnectionRegistry} for {@code kind}. */
  static Module forKind(StoreKind kind) {
    return switch (kind) {
      case NITRIC -> new NitricStoreModule();
      case REDIS -> new RedisStoreModule();
      case POSTGRES -> new PostgresStoreModule();
      case MEMORY -> new MemoryStoreModule();
    };
  }

  /**
   * The module for the Nitric CLI's build-time collection ({@code NITRIC_ENVIRONMENT=build}),
   * where no store can be reached (the collector serves none, and a build container has no
   * network to the app's Redis or PostgreSQL): the Nitric key-value store is still declared, since
   * the deployed app uses it, and no other store is connected to.
   */
  static Module forCollection(StoreKind kind) {
    return switch (kind) {
      case NITRIC -> new NitricStoreModule();
      case REDIS, POSTGRES, MEMORY -> new MemoryStoreModule();
    };
  }

  /**
   * A store that several gateways may share: {@code registry}, closed on stop, with this
   * gateway's connections kept apart from other gateways' by its scope.
   */
  private static <R extends ConnectionRegistry & AutoCloseable> ConnectionRegistry shared(
      String name, R registry, Lifecycle lifecycle, GatewayScope scope) {
    return ScopedConnectionRegistry.deferred(lifecycle.closeOnStop(name, registry), scope.stage());
  }

  /** Connections in a Nitric key-value store, through the runtime the app serves. */
  static final class NitricStoreModule extends AbstractModule {
    @Provides
    @Singleton
    ConnectionRegistry registry(NitricRuntimeClient nitric, AppSettings settings) {
      return nitric.kvRegistry(settings.kvStore());
    }
  }

  /**
   * Connections in Redis, standalone or Cluster; one shared client, closed on stop. Kept apart
   * from other gateways' connections by the gateway's scope.
   */
  static final class RedisStoreModule extends AbstractModule {
    @Provides
    @Singleton
    ConnectionRegistry registry(AppSettings settings, Clock clock, Lifecycle lifecycle, GatewayScope scope) {
      return shared("redis registry", RedisConnectionRegistry.connect(settings.redis().orElseThrow(), clock),
          lifecycle, scope);
    }
  }

  /**
   * Connections in PostgreSQL tables; migrations run at start; the pool closes on stop. Kept apart
   * from other gateways' connections by the gateway's scope.
   */
  static final class PostgresStoreModule extends AbstractModule {
    @Provides
    @Singleton
    ConnectionRegistry registry(AppSettings settings, Clock clock, Lifecycle lifecycle, GatewayScope scope) {
      return shared("postgres registry", PostgresConnectionRegistry.start(settings.postgres().orElseThrow(), clock),
          lifecycle, scope);
    }
  }

  /** Connections in this process's memory: one app instance only. */
  static final class MemoryStoreModule extends AbstractModule {
    @Provides
    @Singleton
    ConnectionRegistry registry(Clock clock) {
      return new InMemoryConnectionRegistry(clock);
    }
  }
}
