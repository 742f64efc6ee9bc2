package dev.nitricws.bootstrap;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the application is configured with, read once at start-up from flags and
 * environment variables and validated here, before any module sees it.
 *
 * @param store where connections are kept
 * @param socket the websocket the chat serves
 * @param serviceAddress the Nitric runtime to serve; empty: start the local runtime in-process
 * @param nitricEnvironment NITRIC_ENVIRONMENT: run, build or cloud
 * @param localGrpcPort the in-process runtime's gRPC port (0: any free port)
 * @param localWebsocketPort the in-process runtime's websocket port
 * @param kvStore the Nitric key-value store that holds connections with {@code --store=nitric}
 * @param redisUrl Redis URL with {@code --store=redis} (redis://, rediss://; several hosts for a cluster)
 * @param redisCluster whether the Redis URL names a cluster
 * @param postgresUrl JDBC URL with {@code --store=postgres}
 * @param postgresUser database user (may also be in the URL)
 * @param postgresPassword database password; never logged
 * @param postgresSchema schema of the connections table
 * @param postgresPoolSize connection pool size
 * @param maxConnectionLife how long a registry entry lives after connect
 * @param handlerTimeout how long a handler may run before its event is answered without it
 */
public record AppSettings(
    StoreKind store,
    SocketName socket,
    Optional<String> serviceAddress,
    String nitricEnvironment,
    int localGrpcPort,
    int localWebsocketPort,
    String kvStore,
    String redisUrl,
    boolean redisCluster,
    String postgresUrl,
    String postgresUser,
    String postgresPassword,
    String postgresSchema,
    int postgresPoolSize,
    Duration maxConnectionLife,
    Duration handlerTimeout) {

  public AppSettings {
    requireNonNull(store, "store");
    requireNonNull(socket, "socket");
    requireNonNull(serviceAddress, "serviceAddress");
    requireNonNull(nitricEnvironment, "nitricEnvironment");
    requireNonNull(kvStore, "kvStore");
    requireNonNull(maxConnectionLife, "maxConnectionLife");
    requireNonNull(handlerTimeout, "handlerTimeout");
    port("local gRPC port", localGrpcPort);
    port("local websocket port", localWebsocketPort);
    if (!java.util.Set.of("run", "build", "cloud").contains(nitricEnvironment)) {
      throw new IllegalArgumentException("NITRIC_ENVIRONMENT must be run, build or cloud, got '" + nitricEnvironment + "'");
    }
    if (store == StoreKind.REDIS && (redisUrl == null || redisUrl.isBlank())) {
      throw new IllegalArgumentException("--store=redis needs --redis-url (or NITRICWS_REDIS_URL), e.g. redis://127.0.0.1:6379");
    }
    if (store == StoreKind.POSTGRES && (postgresUrl == null || postgresUrl.isBlank())) {
      throw new IllegalArgumentException(
          "--store=postgres needs --postgres-url (or NITRICWS_POSTGRES_URL), e.g. jdbc:postgresql://127.0.0.1:5432/app");
    }
    if (maxConnectionLife.isNegative() || maxConnectionLife.isZero()) {
      throw new IllegalArgumentException("max connection life must be positive, got " + maxConnectionLife);
    }
    if (handlerTimeout.isNegative() || handlerTimeout.isZero()) {
      throw new IllegalArgumentException("handler timeout must be positive, got " + handlerTimeout);
    }
  }

  /** Whether the local runtime is started in-process (no SERVICE_ADDRESS given). */
  public boolean embedded() {
    return serviceAddress.isEmpty();
  }

  /** These settings with the runtime at {@code address} (used once the embedded runtime is up). */
  public AppSettings withServiceAddress(String address) {
    return new AppSettings(store, socket, Optional.of(address), nitricEnvironment, localGrpcPort, localWebsocketPort,
        kvStore, redisUrl, redisCluster, postgresUrl, postgresUser, postgresPassword, postgresSchema, postgresPoolSize,
        maxConnectionLife, handlerTimeout);
  }

  @Override
  public String toString() {
    return "AppSettings[store=" + store.flag() + ", socket=" + socket + ", serviceAddress=" + serviceAddress.orElse("(embedded)")
        + ", environment=" + nitricEnvironment + ", kvStore=" + kvStore + ", redisCluster=" + redisCluster
        + ", postgresSchema=" + postgresSchema + ", postgresPoolSize=" + postgresPoolSize
        + ", maxConnectionLife=" + maxConnectionLife + ", handlerTimeout=" + handlerTimeout + "]";
  }

  private static void port(String what, int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(what + " must be between 0 and 65535, got " + port);
    }
  }
}
