package dev.nitricws.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.nitricws.adapters.nitric.NitricRuntime;
import dev.nitricws.adapters.postgres.PostgresConnectionRegistry;
import dev.nitricws.adapters.postgres.PostgresRegistryConfig;
import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.ports.InMemoryConnectionRegistry;
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

  /** Connections in a Nitric key-value store, through the runtime the app serves. */
  static final class NitricStoreModule extends AbstractModule {
    @Provides
    @Singleton
    ConnectionRegistry registry(NitricRuntime nitric, AppSettings settings) {
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
      RedisSettings redis = settings.redis();
      RedisRegistryConfig config = RedisRegistryConfig.builder().uri(redis.url()).cluster(redis.cluster())
          .commandTimeout(redis.commandTimeout()).build();
      RedisConnectionRegistry registry = lifecycle.closeOnStop("redis registry", RedisConnectionRegistry.connect(config, clock));
      return ScopedConnectionRegistry.deferred(registry, scope.stage());
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
      PostgresConnectionRegistry registry =
          lifecycle.closeOnStop("postgres registry", PostgresConnectionRegistry.start(config(settings.postgres()), clock));
      return ScopedConnectionRegistry.deferred(registry, scope.stage());
    }

    /** The registry's settings: the URL as given (sslmode, sslrootcert and the rest reach the driver), then the flags. */
    static PostgresRegistryConfig config(PostgresSettings postgres) {
      PostgresRegistryConfig.Builder config = PostgresRegistryConfig.builder()
          .jdbcUrl(postgres.url())
          .schema(postgres.schema())
          .poolSize(postgres.poolSize())
          .connectionTimeout(postgres.connectionTimeout())
          .statementTimeout(postgres.statementTimeout())
          .migrate(postgres.migrate());
      if (postgres.user() != null && !postgres.user().isBlank()) {
        config.user(postgres.user());
      }
      if (postgres.password() != null && !postgres.password().isEmpty()) {
        config.password(postgres.password());
      }
      return config.build();
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
