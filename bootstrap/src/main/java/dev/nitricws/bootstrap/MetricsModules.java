package dev.nitricws.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.nitricws.adapters.micrometer.MicrometerConnectionRegistry;
import dev.nitricws.adapters.micrometer.MicrometerSocketMetrics;
import dev.nitricws.adapters.nitric.NitricRuntimeClient;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/**
 * Metrics on or off; {@link #forSettings} installs exactly one module. Both bind the app's
 * {@link SocketMetrics}, its {@link Measured} registry and the {@link MetricsEndpoint}.
 */
final class MetricsModules {

  private MetricsModules() {}

  /** Prometheus metrics when {@link AppSettings#metricsServed()}, none otherwise. */
  static Module forSettings(AppSettings settings) {
    return settings.metricsServed() ? new PrometheusMetricsModule() : new NoMetricsModule();
  }

  /**
   * Micrometer meters in a Prometheus registry: the app's socket metrics, every store call timed
   * (tag {@code store} = the {@code --store} value), served with the health checks on
   * {@code --metrics-port}, which closes on stop.
   */
  static final class PrometheusMetricsModule extends AbstractModule {
    @Provides
    @Singleton
    PrometheusMeterRegistry meterRegistry() {
      return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @Provides
    @Singleton
    SocketMetrics socketMetrics(PrometheusMeterRegistry meters, AppSettings settings) {
      return new MicrometerSocketMetrics(meters, List.of(settings.socket()));
    }

    @Provides
    @Singleton
    @Measured
    ConnectionRegistry measured(ConnectionRegistry store, AppSettings settings, PrometheusMeterRegistry meters) {
      return MicrometerConnectionRegistry.timing(store, settings.store().flag(), meters);
    }

    /** Probes the store itself, not the timed registry, so health checks do not count as store calls. */
    @Provides
    @Singleton
    MetricsEndpoint endpoint(AppSettings settings, PrometheusMeterRegistry meters, NitricRuntimeClient nitric,
        ConnectionRegistry store, Lifecycle lifecycle) {
      HealthChecks health = new HealthChecks(nitric::isServing, store, HealthChecks.STORE_TIMEOUT);
      return lifecycle.closeOnStop("metrics endpoint",
          new HttpMetricsEndpoint(settings.metricsPort(), meters::scrape, health));
    }
  }

  /** No metrics: nothing recorded, the store used as it is, no port opened. */
  static final class NoMetricsModule extends AbstractModule {
    @Override
    protected void configure() {
      bind(SocketMetrics.class).toInstance(SocketMetrics.NONE);
      bind(MetricsEndpoint.class).toInstance(MetricsEndpoint.OFF);
    }

    @Provides
    @Singleton
    @Measured
    ConnectionRegistry measured(ConnectionRegistry store) {
      return store;
    }
  }
}
