package dev.nitricws.it.gateways;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.bootstrap.NitricWsMain;
import dev.nitricws.bootstrap.NitricWsServer;
import dev.nitricws.domain.BroadcastReport;
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
 * Two embedded servers (two gateways, as two {@code bin/chat} without --service-address) on one
 * Redis and one socket name: a broadcast from one reaches its own clients only and never prunes
 * the other's live connections, which its runtime would call gone.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TwoGatewaysOneStoreIT {

  private final List<WsClient> clients = new ArrayList<>();
  private final List<NitricWsServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    servers.forEach(NitricWsServer::close);
  }

  @Test
  void eachGatewayBroadcastsToItsOwnClientsAndPrunesNoneOfTheOthers() {
    String socket = "--socket=gateways" + System.nanoTime();
    NitricWsServer a = start(socket);
    NitricWsServer b = start(socket);
    WsClient a1 = connect(a);
    WsClient a2 = connect(a);
    WsClient b1 = connect(b);
    WsClient b2 = connect(b);
    awaitCount(chat(a), 2);
    awaitCount(chat(b), 2);

    a1.send("from a");
    assertThat(a1.nextText()).isEqualTo("from a");
    assertThat(a2.nextText()).isEqualTo("from a");
    BroadcastReport fromA = chat(a).broadcast("again from a").toCompletableFuture().join();

    assertThat(fromA.delivered()).isEqualTo(2);
    assertThat(fromA.gone()).as("B's clients are not A's to call gone").isZero();
    assertThat(chat(b).connectionCount().toCompletableFuture().join()).as("B's entries after A's broadcasts").isEqualTo(2L);
    assertThat(b1.receivesWithin(Duration.ofMillis(500))).isFalse();

    b2.send("from b");
    assertThat(b1.nextText()).isEqualTo("from b");
    assertThat(b2.nextText()).isEqualTo("from b");
    assertThat(chat(a).connectionCount().toCompletableFuture().join()).isEqualTo(2L);
    assertThat(a.storedSocket()).isNotEqualTo(b.storedSocket());
  }

  private NitricWsServer start(String socket) {
    NitricWsServer server = NitricWsServer.start(NitricWsMain.parse("--store=redis",
        "--redis-url=" + RedisServers.standaloneUrl(), "--ws-port=0", "--grpc-port=0", socket));
    servers.add(server);
    return server;
  }

  private WsClient connect(NitricWsServer server) {
    WsClient client = WsClient.open(server.websocketPort(), "/");
    clients.add(client);
    return client;
  }

  private static Websocket chat(NitricWsServer server) {
    return server.app().websocket(server.settings().socket());
  }

  private static void awaitCount(Websocket chat, long n) {
    await().atMost(Duration.ofSeconds(15)).until(() -> chat.connectionCount().toCompletableFuture().join() == n);
  }
}
