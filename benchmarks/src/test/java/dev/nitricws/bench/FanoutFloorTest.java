package dev.nitricws.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fan-out floor with real JDK websocket clients on loopback. */
class FanoutFloorTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private FanoutFloor floor;
  private final List<Client> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(client -> client.socket.abort());
    if (floor != null) {
      floor.close();
    }
  }

  /** A client that keeps every text it receives. */
  private static final class Client implements WebSocket.Listener {
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        texts.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    String next() throws InterruptedException {
      String text = texts.poll(10, TimeUnit.SECONDS);
      assertThat(text).as("a message within 10 s").isNotNull();
      return text;
    }
  }

  private Client connect() {
    Client client = new Client();
    client.socket = HTTP.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + floor.port() + "/"), client)
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
    clients.add(client);
    return client;
  }

  @Test
  void eachFrameGoesToEveryOpenConnectionIncludingItsSender() throws Exception {
    floor = FanoutFloor.start(0, 100);
    Client ada = connect();
    Client bob = connect();
    Client cy = connect();

    bob.socket.sendText("round 1", true).join();

    assertThat(ada.next()).isEqualTo("round 1");
    assertThat(bob.next()).isEqualTo("round 1");
    assertThat(cy.next()).isEqualTo("round 1");
  }

  @Test
  void aClientThatLeftGetsNothingAndNoSendFails() throws Exception {
    floor = FanoutFloor.start(0, 100);
    Client ada = connect();
    Client bob = connect();
    assertThat(floor.connectionCount()).isEqualTo(2);
    bob.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    await().atMost(Duration.ofSeconds(10)).until(() -> floor.connectionCount() == 1);

    ada.socket.sendText("after bob", true).join();

    assertThat(ada.next()).isEqualTo("after bob");
    assertThat(bob.texts).isEmpty();
    assertThat(floor.failedSends()).isZero();
  }

  @Test
  void aBadFlagIsRefusedNamingIt() {
    assertThatThrownBy(() -> FanoutFloor.main(new String[] {"--ws-port", "forty"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--ws-port must be a whole number, was 'forty'");
    assertThatThrownBy(() -> FanoutFloor.main(new String[] {"--threads", "2"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option --threads");
  }
}
