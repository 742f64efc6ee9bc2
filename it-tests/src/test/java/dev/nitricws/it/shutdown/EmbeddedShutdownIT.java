package dev.nitricws.it.shutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.bootstrap.NitricWsMain;
import dev.nitricws.bootstrap.NitricWsServer;
import dev.nitricws.domain.SocketName;
import dev.nitricws.it.redis.RedisServers;
import dev.nitricws.ports.Websocket;
import dev.nitricws.runtime.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing an embedded server closes its gateway first: every client's disconnect reaches the app
 * while the app and the store still run, so the shared store keeps no entry of this process.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedShutdownIT {

  private final List<WsClient> clients = new ArrayList<>();
  private NitricWsServer server;
  private RedisConnectionRegistry registry;

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    if (server != null) {
      server.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void afterCloseTheStoreHoldsNoneOfTheServersConnections() {
    server = NitricWsServer.start(NitricWsMain.parse("--store=redis", "--redis-url=" + RedisServers.standaloneUrl(),
        "--ws-port=0", "--grpc-port=0", "--socket=shutdown" + System.nanoTime()));
    registry = RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(RedisServers.standaloneUrl()));
    SocketName stored = server.storedSocket();
    for (int i = 0; i < 5; i++) {
      clients.add(WsClient.open(server.websocketPort(), "/?name=c" + i));
    }
    Websocket chat = server.app().websocket(server.settings().socket());
    await().atMost(Duration.ofSeconds(15)).until(() -> chat.connectionCount().toCompletableFuture().join() == 5);
    assertThat(registry.count(stored).toCompletableFuture().join()).isEqualTo(5L);

    server.close();

    assertThat(registry.count(stored).toCompletableFuture().join()).as("entries left in the store").isZero();
    for (WsClient client : clients) {
      assertThat(client.closed()).as("the client was closed").succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1001);
    }
  }
}
