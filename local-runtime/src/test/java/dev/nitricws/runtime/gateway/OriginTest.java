package dev.nitricws.runtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nitricws.proto.websockets.v1.HeaderValue;
import dev.nitricws.proto.websockets.v1.WebsocketConnectionEvent;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.LocalRuntimeBuilder;
import dev.nitricws.runtime.RawWebsocket;
import dev.nitricws.runtime.RuntimeAndApp;
import dev.nitricws.runtime.TestApp.EventStream;
import dev.nitricws.runtime.TestApp.Mode;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Origin allow-list, and the Origin header passed on in the Connect event. */
class OriginTest {

  @RegisterExtension
  final RuntimeAndApp local = new RuntimeAndApp();
  private EventStream connects;
  private int port;

  private void start(Consumer<LocalRuntimeBuilder> settings) {
    local.start(settings);
    local.app().declareWebsocket("chat");
    connects = local.app().register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    port = local.runtime().websocketPort("chat");
  }

  /** Sends an upgrade with these extra header lines and returns the status line. */
  private String upgrade(String headers) throws IOException {
    try (RawWebsocket client = RawWebsocket.connectTcp(port, 0)) {
      client.write(RawWebsocket.upgradeRequest(port, "/", headers));
      String head = client.readHead();
      return head.substring(0, head.indexOf("\r\n"));
    }
  }

  @Test
  void anOriginNotInTheListIsAnswered403BeforeAnyConnectEvent() throws Exception {
    start(settings -> settings.allowedOrigins("https://chat.example", "http://localhost:3000"));

    assertThat(upgrade("Origin: https://evil.example\r\n")).isEqualTo("HTTP/1.1 403 Forbidden");
    assertThat(upgrade("Origin: https://chat.example.evil\r\n")).startsWith("HTTP/1.1 403");
    assertThat(upgrade("Origin: http://localhost:3001\r\n")).startsWith("HTTP/1.1 403");
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(connects.events::isEmpty);
  }

  @Test
  void anOriginInTheListIsAcceptedAndPassedToTheAppLowerCased() throws Exception {
    start(settings -> settings.allowedOrigins("https://chat.example", "http://localhost:3000"));

    assertThat(upgrade("Origin: http://localhost:3000\r\n")).startsWith("HTTP/1.1 101");
    assertThat(upgrade("ORIGIN: HTTPS://Chat.Example\r\n")).startsWith("HTTP/1.1 101");

    assertThat(connects.next().request().getConnection().getHeadersMap())
        .containsExactly(java.util.Map.entry("origin", HeaderValue.newBuilder().addValue("http://localhost:3000").build()));
    assertThat(connects.next().request().getConnection().getHeadersMap()).containsOnlyKeys("origin");
  }

  @Test
  void withoutAListOrWithAStarAnyOriginIsAccepted() throws Exception {
    start(settings -> settings.allowedOrigins("*"));

    assertThat(upgrade("Origin: https://anywhere.example\r\n")).startsWith("HTTP/1.1 101");
    assertThat(connects.next().request().getConnection().getHeadersMap().get("origin").getValueList())
        .containsExactly("https://anywhere.example");
  }

  @Test
  void aClientWithoutOriginIsAcceptedAndNoOtherHeaderReachesTheApp() throws Exception {
    start(settings -> settings.allowedOrigins("https://chat.example"));

    assertThat(upgrade("Cookie: session=secret\r\nAuthorization: Bearer secret\r\nX-Custom: 1\r\n"))
        .startsWith("HTTP/1.1 101");

    WebsocketConnectionEvent connection = connects.next().request().getConnection();
    assertThat(connection.getHeadersMap()).isEmpty();
  }

  @Test
  void onlyWholeOriginsMayBeListed() {
    assertThatThrownBy(() -> LocalRuntime.builder().allowedOrigins("chat.example"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chat.example").hasMessageContaining("scheme://host[:port]");
    assertThatThrownBy(() -> LocalRuntime.builder().allowedOrigins("https://chat.example/app"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https://chat.example/app");
    assertThatThrownBy(() -> LocalRuntime.builder().allowedOrigins("https://chat.example:99999"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
