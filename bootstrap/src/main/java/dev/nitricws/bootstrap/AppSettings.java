package dev.nitricws.bootstrap;

import static java.util.Objects.requireNonNull;

import dev.nitricws.adapters.nitric.RuntimeCredentials;
import dev.nitricws.adapters.nitric.events.NitricEventSource;
import dev.nitricws.adapters.postgres.PostgresRegistryConfig;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.cli.Durations;
import dev.nitricws.domain.PositiveDuration;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.HmacTokens;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the application is configured with, read once at start-up from flags and
 * environment variables and validated here, before any module sees it. The Redis and PostgreSQL
 * stores are configured by their adapters' own config records.
 *
 * @param store where connections are kept
 * @param socket the websocket the app serves
 * @param serviceAddress the Nitric runtime to serve; empty: start the local runtime in-process
 * @param nitricEnvironment NITRIC_ENVIRONMENT: run, build or cloud
 * @param localGrpcPort the in-process runtime's gRPC port (0: any free port)
 * @param localWebsocketPort the in-process runtime's websocket port
 * @param localMaxConnections how many connections the in-process runtime's gateway holds at most
 * @param kvStore the Nitric key-value store that holds connections with {@code --store=nitric}
 * @param redis the Redis store's config: present with {@code --store=redis} where the store is
 *     reached, that is not under the Nitric CLI's collection (there no store is connected to, and
 *     the URL may come only at deployment)
 * @param postgres the PostgreSQL store's config, likewise with {@code --store=postgres}
 * @param maxConnectionLife how long a registry entry lives after connect
 * @param handlerTimeout how long a handler may run before its event is answered without it
 * @param sendTimeout how long one send or close may take before it counts as failed
 * @param authentication connect-time authentication with signed tokens; empty: none
 * @param runtimeCredentials the token and TLS of the channel to a remote runtime
 * @param metricsPort the port of the {@code /metrics} and {@code /health} endpoint; 0: none
 */
public record AppSettings(
    StoreKind store,
    SocketName socket,
    Optional<String> serviceAddress,
    String nitricEnvironment,
    int localGrpcPort,
    int localWebsocketPort,
    int localMaxConnections,
    String kvStore,
    Optional<RedisRegistryConfig> redis,
    Optional<PostgresRegistryConfig> postgres,
    Duration maxConnectionLife,
    Duration handlerTimeout,
    Duration sendTimeout,
    Optional<HmacTokens> authentication,
    RuntimeCredentials runtimeCredentials,
    int metricsPort) {

  public AppSettings {
    requireNonNull(store, "store");
    requireNonNull(socket, "socket");
    requireNonNull(serviceAddress, "serviceAddress");
    requireNonNull(nitricEnvironment, "nitricEnvironment");
    requireNonNull(kvStore, "kvStore");
    requireNonNull(redis, "redis");
    requireNonNull(postgres, "postgres");
    requireNonNull(maxConnectionLife, "maxConnectionLife");
    requireNonNull(handlerTimeout, "handlerTimeout");
    requireNonNull(sendTimeout, "sendTimeout");
    requireNonNull(authentication, "authentication");
    requireNonNull(runtimeCredentials, "runtimeCredentials");
    if (runtimeCredentials.tls() && serviceAddress.isEmpty()) {
      throw new IllegalArgumentException("--runtime-tls (NITRICWS_RUNTIME_TLS) is for a remote runtime: give "
          + "--service-address; the embedded runtime speaks plaintext on 127.0.0.1");
    }
    port("local gRPC port", localGrpcPort);
    port("local websocket port", localWebsocketPort);
    if (localMaxConnections < 1) {
      throw new IllegalArgumentException("--max-connections must be at least 1, got " + localMaxConnections);
    }
    port("--metrics-port", metricsPort);
    if (!java.util.Set.of("run", "build", "cloud").contains(nitricEnvironment)) {
      throw new IllegalArgumentException("NITRIC_ENVIRONMENT must be run, build or cloud, got '" + nitricEnvironment + "'");
    }
    // under the Nitric CLI's collection no store is reached, so its settings may come only at deployment
    boolean collecting = collecting(nitricEnvironment);
    if (store == StoreKind.REDIS && redis.isEmpty() && !collecting) {
      throw new IllegalArgumentException("--store=redis needs --redis-url (or NITRICWS_REDIS_URL), e.g. redis://127.0.0.1:6379");
    }
    if (store == StoreKind.POSTGRES && postgres.isEmpty() && !collecting) {
      throw new IllegalArgumentException(
          "--store=postgres needs --postgres-url (or NITRICWS_POSTGRES_URL), e.g. jdbc:postgresql://127.0.0.1:5432/app");
    }
    if (collecting && serviceAddress.isEmpty()) {
      throw new IllegalArgumentException("NITRIC_ENVIRONMENT=build needs SERVICE_ADDRESS: the Nitric CLI sets both "
          + "when it collects the app's resources");
    }
    PositiveDuration.require("--max-connection-life", maxConnectionLife);
    PositiveDuration.require("--handler-timeout", handlerTimeout);
    if (handlerTimeout.compareTo(NitricEventSource.DEFAULT_ANSWER_TIMEOUT) >= 0) {
      throw new IllegalArgumentException("--handler-timeout must be shorter than "
          + Durations.format(NitricEventSource.DEFAULT_ANSWER_TIMEOUT) + ", the event source's answer timeout, got "
          + Durations.format(handlerTimeout) + ": the app must answer before the event source gives up on it, "
          + "and that before the runtime does");
    }
    PositiveDuration.require("--send-timeout", sendTimeout);
  }

  /**
   * Whether the metrics and health endpoint is served: a port was given, and this is not the Nitric
   * CLI's collection (where the app exits at once).
   */
  public boolean metricsServed() {
    return metricsPort != 0 && !collecting();
  }

  /** Whether the local runtime is started in-process (no SERVICE_ADDRESS given). */
  public boolean embedded() {
    return serviceAddress.isEmpty();
  }

  /**
   * Whether the app runs under the Nitric CLI's build-time collection: it declares its resources,
   * registers its handlers once, touches no store and exits.
   */
  public boolean collecting() {
    return collecting(nitricEnvironment);
  }

  /** Whether {@code nitricEnvironment} (NITRIC_ENVIRONMENT) is the Nitric CLI's build-time collection. */
  static boolean collecting(String nitricEnvironment) {
    return nitricEnvironment.equals("build");
  }

  /** These settings with the runtime at {@code address} (used once the embedded runtime is up). */
  public AppSettings withServiceAddress(String address) {
    return new AppSettings(store, socket, Optional.of(address), nitricEnvironment, localGrpcPort, localWebsocketPort,
        localMaxConnections, kvStore, redis, postgres, maxConnectionLife, handlerTimeout, sendTimeout, authentication,
        runtimeCredentials, metricsPort);
  }

  @Override
  public String toString() {
    return "AppSettings[store=" + store.flag() + ", socket=" + socket + ", serviceAddress=" + serviceAddress.orElse("(embedded)")
        + ", environment=" + nitricEnvironment + ", kvStore=" + kvStore
        + redis.map(config -> ", " + config).orElse("") + postgres.map(config -> ", " + config).orElse("")
        + ", maxConnectionLife=" + maxConnectionLife + ", handlerTimeout=" + handlerTimeout + ", sendTimeout=" + sendTimeout
        + ", authentication=" + (authentication.isPresent() ? "hmac" : "off") + ", runtime=" + runtimeCredentials
        + ", metricsPort=" + (metricsPort == 0 ? "off" : Integer.toString(metricsPort)) + "]";
  }

  private static void port(String what, int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(what + " must be between 0 and 65535, got " + port);
    }
  }
}
