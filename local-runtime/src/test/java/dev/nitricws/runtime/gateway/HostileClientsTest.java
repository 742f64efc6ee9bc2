package dev.nitricws.runtime.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntimeBuilder;
import dev.nitricws.runtime.RawWebsocket;
import dev.nitricws.runtime.RawWebsocket.Frame;
import dev.nitricws.runtime.RuntimeAndApp;
import dev.nitricws.runtime.TestApp;
import dev.nitricws.runtime.TestApp.EventStream;
import dev.nitricws.runtime.TestApp.Mode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that try to hold the gateway's resources: silent or byte-by-byte requests, too many
 * connections, message floods, broken text. Each is refused or closed, the app hears nothing of
 * those refused before their Connect, and nothing waits forever.
 */
class HostileClientsTest {

  @RegisterExtension
  final RuntimeAndApp local = new RuntimeAndApp();
  private final List<RawWebsocket> clients = new ArrayList<>();
  private EventStream connects;

  private int start(Consumer<LocalRuntimeBuilder> settings) {
    local.start(settings);
    local.app().declareWebsocket("chat");
    connects = local.app().register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    return local.runtime().websocketPort("chat");
  }

  @AfterEach
  void closeClients() throws IOException {
    for (RawWebsocket client : clients) {
      client.close();
    }
  }

  private RawWebsocket track(RawWebsocket client) {
    clients.add(client);
    return client;
  }

  @Test
  void clientThatSendsNothingIsAnswered408AndClosedAfterTheRequestTimeout() throws Exception {
    int port = start(settings -> settings.requestTimeout(Duration.ofMillis(300)));
    RawWebsocket silent = track(RawWebsocket.connectTcp(port, 0));

    long started = System.nanoTime();
    String answer = silent.readToEnd();

    assertThat(answer).startsWith("HTTP/1.1 408");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void clientSendingItsHeadersByteByByteIsCutOffAtTheRequestTimeout() throws Exception {
    int port = start(settings -> settings.requestTimeout(Duration.ofMillis(300)));
    RawWebsocket slow = track(RawWebsocket.connectTcp(port, 0));
    byte[] request = RawWebsocket.upgradeRequest(port, "/", "").getBytes(UTF_8);

    boolean cutOff = false;
    long started = System.nanoTime();
    for (byte b : request) {
      try {
        slow.socket().getOutputStream().write(b);
        slow.socket().getOutputStream().flush();
      } catch (IOException closed) {
        cutOff = true;
        break;
      }
      Thread.sleep(50);
      if (Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(3)) > 0) {
        break;
      }
    }

    assertThat(cutOff || slow.readToEnd().startsWith("HTTP/1.1 408"))
        .as("the connection is answered 408 or closed before the slow request completes").isTrue();
    assertThat(connects.events).as("no connect event").isEmpty();
  }

  @Test
  void connectionsOverThePerAddressCapAreAnswered429BeforeAnyConnectEvent() throws Exception {
    int port = start(settings -> settings.maxConnectionsPerAddress(3));
    for (int i = 0; i < 3; i++) {
      track(RawWebsocket.open(port, "/"));
    }
    for (int i = 0; i < 3; i++) {
      connects.next();
    }

    String refused = RawWebsocket.upgradeAnswer(port, "/");

    assertThat(refused).startsWith("HTTP/1.1 429").endsWith("too many connections from your address");
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(connects.events::isEmpty);
    clients.remove(0).close();
    await("a slot is free again").atMost(TestApp.WAIT).until(() -> upgrades(port));
  }

  /** Whether an upgrade succeeds now; the client is kept open when it does. */
  private boolean upgrades(int port) throws IOException {
    RawWebsocket client = RawWebsocket.connectTcp(port, 0);
    client.write(RawWebsocket.upgradeRequest(port, "/", ""));
    if (client.readHead().startsWith("HTTP/1.1 101")) {
      track(client);
      return true;
    }
    client.close();
    return false;
  }

  @Test
  void connectionsOverTheTotalCapAreAnswered503() throws Exception {
    int port = start(settings -> settings.maxConnections(2));
    track(RawWebsocket.open(port, "/"));
    track(RawWebsocket.open(port, "/"));

    String refused = RawWebsocket.upgradeAnswer(port, "/");

    assertThat(refused).startsWith("HTTP/1.1 503").endsWith("too many connections");
  }

  @Test
  void clientOverTheMessageRateIsClosedWith1008RateLimit() throws Exception {
    int port = start(settings -> settings.maxMessagesPerSecond(5));
    EventStream messages = local.app().register("chat", WebsocketEventType.Message, Mode.ACCEPT);
    RawWebsocket flooder = track(RawWebsocket.open(port, "/"));
    for (int i = 0; i < 5; i++) {
      flooder.send(RawWebsocket.TEXT, ("burst" + i).getBytes(UTF_8));
    }
    await("a burst within the limit gets through").atMost(TestApp.WAIT).until(() -> messages.events.size() == 5);

    try {
      for (int i = 0; i < 40; i++) {
        flooder.send(RawWebsocket.TEXT, ("flood" + i).getBytes(UTF_8));
      }
    } catch (IOException closedMeanwhile) {
      // the gateway closed it: what follows checks how
    }
    Frame close = flooder.readUntilClose();

    assertThat(close.closeCode()).isEqualTo(1008);
    assertThat(close.closeReason()).isEqualTo("rate limit");
    await("not the flood").during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
        .until(() -> messages.events.size() <= 12);
  }

  @Test
  void messageRateZeroMeansNoLimit() throws Exception {
    int port = start(settings -> settings.maxMessagesPerSecond(0));
    EventStream messages = local.app().register("chat", WebsocketEventType.Message, Mode.ACCEPT);
    RawWebsocket chatty = track(RawWebsocket.open(port, "/"));

    for (int i = 0; i < 300; i++) {
      chatty.send(RawWebsocket.TEXT, ("m" + i).getBytes(UTF_8));
    }

    await().atMost(TestApp.WAIT).until(() -> messages.events.size() == 300);
  }

  @Test
  void invalidUtf8InATextFrameClosesWith1007() throws Exception {
    int port = start(settings -> { });
    RawWebsocket client = track(RawWebsocket.open(port, "/"));

    client.send(RawWebsocket.TEXT, new byte[] {(byte) 0xc3, 0x28});

    assertThat(client.readUntilClose().closeCode()).isEqualTo(1007);
  }

  @Test
  void textIsCheckedAsAWholeMessageAcrossItsFragments() throws Exception {
    int port = start(settings -> { });
    EventStream messages = local.app().register("chat", WebsocketEventType.Message, Mode.ACCEPT);
    RawWebsocket client = track(RawWebsocket.open(port, "/"));

    // "é" is 0xc3 0xa9: split across two fragments it is still one valid message
    sendFragmented(client, new byte[] {'a', (byte) 0xc3}, new byte[] {(byte) 0xa9});
    assertThat(messages.next().request().getMessage().getBody().toStringUtf8()).isEqualTo("aé");

    // a lead byte whose continuation never comes is not UTF-8, wherever the fragments break
    sendFragmented(client, new byte[] {'b', (byte) 0xc3}, new byte[] {'c'});
    assertThat(client.readUntilClose().closeCode()).isEqualTo(1007);
  }

  /** One text message in two frames: the first without FIN, then a continuation with it. */
  private static void sendFragmented(RawWebsocket client, byte[] first, byte[] last) throws IOException {
    byte[] start = RawWebsocket.frame(RawWebsocket.TEXT, first);
    start[0] &= 0x7f;
    byte[] end = RawWebsocket.frame(0x0, last);
    client.socket().getOutputStream().write(start);
    client.socket().getOutputStream().write(end);
    client.socket().getOutputStream().flush();
  }
}
