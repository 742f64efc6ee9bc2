package dev.nitricws.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.bootstrap.NitricWsMain;
import dev.nitricws.bootstrap.NitricWsServer;
import dev.nitricws.ports.HmacTokens;
import dev.nitricws.ports.Websocket;
import dev.nitricws.runtime.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat with --auth-secret: real clients need a signed token in the query, and the page passes it on. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuthenticatedChatIT {

  private static final String SECRET = "an-it-secret-of-thirty-two-bytes-or-more";
  private final List<WsClient> clients = new ArrayList<>();
  private NitricWsServer server;

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    if (server != null) {
      server.close();
    }
  }

  @Test
  void onlyClientsWithAValidTokenGetIn() throws Exception {
    server = NitricWsServer.start(NitricWsMain.parse("--store=memory", "--ws-port=0", "--grpc-port=0",
        "--socket=chat" + System.nanoTime(), "--auth-secret=" + SECRET));
    int port = server.websocketPort();
    HmacTokens tokens = HmacTokens.withSecret(SECRET);

    assertThat(WsClient.refusal(port, "/")).as("no token").isEqualTo(new WsClient.Refusal(401, "missing token"));
    assertThat(WsClient.refusal(port, "/?token=" + tokens.mint("alice", Instant.now().minusSeconds(5))))
        .as("expired").isEqualTo(new WsClient.Refusal(401, "expired token"));
    assertThat(WsClient.refusal(port, "/?token=" + HmacTokens.withSecret(SECRET + "x").mint("alice", Duration.ofHours(1))))
        .as("another secret").isEqualTo(new WsClient.Refusal(401, "bad signature"));

    WsClient alice = WsClient.open(port, "/?token=" + tokens.mint("alice", Duration.ofHours(1)));
    clients.add(alice);
    Websocket chat = server.app().websocket(server.settings().socket());
    await().atMost(Duration.ofSeconds(15)).until(() -> chat.connectionCount().toCompletableFuture().join() == 1);
    alice.send("hello");
    assertThat(alice.nextText()).isEqualTo("hello");

    // the page connects with its own query, so http://host:port/?token=... works in a browser
    String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(page).contains("location.search");
  }
}
