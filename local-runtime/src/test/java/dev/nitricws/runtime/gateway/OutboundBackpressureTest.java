package dev.nitricws.runtime.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.nitricws.proto.websockets.v1.WebsocketCloseConnectionRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntimeBuilder;
import dev.nitricws.runtime.RawWebsocket;
import dev.nitricws.runtime.RuntimeAndApp;
import dev.nitricws.runtime.RuntimeInternals;
import dev.nitricws.runtime.TestApp;
import dev.nitricws.runtime.TestApp.EventStream;
import dev.nitricws.runtime.TestApp.Mode;
import io.grpc.Status;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that do not read: what the app's sends to them answer, how long they take, and what the
 * gateway holds for them. Every client here reads nothing after its upgrade and has a small
 * receive buffer, so the gateway's writes back up at once.
 */
class OutboundBackpressureTest {

  private static final int WRITE_BUFFER = 64 * 1024;
  /** A queue bound no test reaches, for tests of what happens before it. */
  private static final int QUEUE_UNBOUNDED = 64 << 20;
  private static final ByteString HUNDRED_KB = ByteString.copyFrom(new byte[100 * 1024]);

  @RegisterExtension
  final RuntimeAndApp local = new RuntimeAndApp();
  private final List<RawWebsocket> clients = new ArrayList<>();
  private EventStream connects;
  private EventStream disconnects;
  private int port;

  private void start(Consumer<LocalRuntimeBuilder> settings) {
    local.start(builder -> settings.accept(builder.writeBufferSize(WRITE_BUFFER)));
    local.app().declareWebsocket("chat");
    connects = local.app().register("chat", WebsocketEventType.Connect, Mode.ACCEPT);
    disconnects = local.app().register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);
    port = local.runtime().websocketPort("chat");
  }

  @AfterEach
  void closeClients() throws IOException {
    for (RawWebsocket client : clients) {
      client.close();
    }
  }

  /** A client that never reads; returns its connection id. */
  private String openNonReadingClient() throws Exception {
    clients.add(RawWebsocket.open(port, "/", 4096));
    return connects.next().request().getConnectionId();
  }

  @Test
  void aClientWhoseQueueWouldPassItsBoundIsClosedAtOnceAndNothingIsDroppedSilently() throws Exception {
    start(settings -> settings.slowClientTimeout(Duration.ofSeconds(30)).maxQueuedBytes(4 * WRITE_BUFFER));
    String id = openNonReadingClient();
    long started = System.nanoTime();

    List<CompletableFuture<Status>> sends = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      sends.add(sendAsync(id, HUNDRED_KB));
    }

    assertThat(disconnects.next().request().getConnectionId()).isEqualTo(id);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("closed by the bound, long before the timeout")
        .isLessThan(Duration.ofSeconds(10));
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    List<Status.Code> codes = sends.stream().map(CompletableFuture::join).map(Status::getCode).toList();
    assertThat(codes).as("each send written, or failed as gone with the connection: none dropped while it stays")
        .contains(Status.Code.UNKNOWN).allMatch(code -> code == Status.Code.OK || code == Status.Code.UNKNOWN);
  }

  @Test
  void clientThatStaysUnwritableIsClosedAndLaterSendsFailAsGone() throws Exception {
    start(settings -> settings.slowClientTimeout(Duration.ofMillis(500)).maxQueuedBytes(QUEUE_UNBOUNDED));
    String id = openNonReadingClient();
    long started = System.nanoTime();

    List<CompletableFuture<Status>> sends = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      sends.add(sendAsync(id, HUNDRED_KB));
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("every send answered soon after the timeout")
        .isLessThan(Duration.ofSeconds(4));
    List<Status.Code> codes = sends.stream().map(CompletableFuture::join).map(Status::getCode).toList();
    assertThat(codes).as("queued for the client in order, or failed as gone once it is closed")
        .allMatch(code -> code == Status.Code.OK || code == Status.Code.UNKNOWN);
    assertThat(disconnects.next().request().getConnectionId()).isEqualTo(id);
    assertThat(local.runtime().connectionCount("chat")).isZero();
    Status late = sendAsync(id, ByteString.copyFromUtf8("late")).get(5, TimeUnit.SECONDS);
    assertThat(late.getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(late.getDescription()).isEqualTo("could not get connection " + id);
  }

  @Test
  void closeConnectionEndsAClientThatDoesNotReadEvenThoughTheCloseFrameCannotBeWritten() throws Exception {
    start(settings -> settings.slowClientTimeout(Duration.ofSeconds(30)).maxQueuedBytes(QUEUE_UNBOUNDED));
    String id = openNonReadingClient();
    for (int i = 0; i < 80; i++) {
      sendAsync(id, HUNDRED_KB);
    }
    await().atMost(TestApp.WAIT).until(() -> connection(id).pendingOutbound().get()[1] >= WRITE_BUFFER);

    long started = System.nanoTime();
    local.app().websocket().withDeadlineAfter(6, TimeUnit.SECONDS).closeConnection(
        WebsocketCloseConnectionRequest.newBuilder().setSocketName("chat").setConnectionId(id).build());

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(disconnects.next().request().getConnectionId()).isEqualTo(id);
  }

  @Test
  void theIdleTimeoutEndsAClientThatDoesNotReadEvenThoughTheCloseFrameCannotBeWritten() throws Exception {
    start(settings -> settings.slowClientTimeout(Duration.ofSeconds(30)).maxQueuedBytes(QUEUE_UNBOUNDED).idleTimeout(Duration.ofSeconds(1))
        .pingInterval(Duration.ZERO));
    String id = openNonReadingClient();
    for (int i = 0; i < 80; i++) {
      sendAsync(id, HUNDRED_KB);
    }
    await().atMost(TestApp.WAIT).until(() -> connection(id).pendingOutbound().get()[1] >= WRITE_BUFFER);
    long started = System.nanoTime();

    assertThat(disconnects.next().request().getConnectionId()).isEqualTo(id);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("idle timeout, then at most 2 s for the close frame")
        .isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void pingsDoNotPileUpForAClientThatDoesNotRead() throws Exception {
    start(settings -> settings.slowClientTimeout(Duration.ofSeconds(30)).maxQueuedBytes(QUEUE_UNBOUNDED).pingInterval(Duration.ofMillis(20)));
    String id = openNonReadingClient();
    List<CompletableFuture<Status>> sends = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      sends.add(sendAsync(id, HUNDRED_KB));
    }
    // every send is answered once queued: from then on only pings could add to the queue
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    await().atMost(TestApp.WAIT).until(() -> connection(id).pendingOutbound().get()[1] >= WRITE_BUFFER);
    long before = connection(id).pendingOutbound().get()[0];

    await("messages queued in a second of 20 ms ping intervals").during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3)).until(() -> connection(id).pendingOutbound().get()[0] - before <= 1);
  }

  @Test
  void aPingFloodFromAClientThatDoesNotReadQueuesNoUnboundedPongs() throws Exception {
    start(settings -> settings.slowClientTimeout(Duration.ofSeconds(30)));
    String id = openNonReadingClient();
    RawWebsocket flooder = clients.get(0);
    byte[] ping = RawWebsocket.frame(RawWebsocket.PING, "p".repeat(125).getBytes(UTF_8));
    byte[] batch = new byte[ping.length * 500];
    for (int i = 0; i < 500; i++) {
      System.arraycopy(ping, 0, batch, i * ping.length, ping.length);
    }

    for (int i = 0; i < 120; i++) {
      flooder.socket().getOutputStream().write(batch);
    }
    flooder.socket().getOutputStream().flush();

    await("bytes held for the client after 60,000 pings").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
        .until(() -> connection(id).pendingOutbound().get(5, TimeUnit.SECONDS)[1] <= WRITE_BUFFER + 4096);
  }

  /**
   * The chat, bounded: clients each send 100 KB messages and never read again; the app
   * broadcasts every message to every connection and waits for the broadcast before answering.
   * Each broadcast ends within the slow-client timeout, and every such client is closed.
   */
  @Test
  void aChatThatWaitsForItsBroadcastsIsNotStoppedByClientsThatDoNotRead() throws Exception {
    Duration slowClient = Duration.ofSeconds(1);
    start(settings -> settings.slowClientTimeout(slowClient).maxMessageSize(128 * 1024));
    EventStream messages = local.app().register("chat", WebsocketEventType.Message, Mode.MANUAL);
    int clientCount = 10;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < clientCount; i++) {
      ids.add(openNonReadingClient());
    }
    byte[] frame = RawWebsocket.frame(RawWebsocket.BINARY, new byte[100 * 1024]);
    for (RawWebsocket client : clients) {
      CompletableFuture.runAsync(() -> {
        try {
          for (int m = 0; m < 3; m++) {
            client.socket().getOutputStream().write(frame);
          }
        } catch (IOException closedMeanwhile) {
          // the gateway closed it for not reading
        }
      }, runnable -> new Thread(runnable, "hostile-client").start());
    }

    long started = System.nanoTime();
    Duration longestBroadcast = Duration.ZERO;
    while (disconnects.events.size() < clientCount
        && Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(30)) < 0) {
      TestApp.Event message = messages.events.poll(200, TimeUnit.MILLISECONDS);
      if (message == null) {
        continue;
      }
      long broadcastStarted = System.nanoTime();
      List<CompletableFuture<Status>> broadcast = new ArrayList<>();
      for (String id : ids) {
        broadcast.add(sendAsync(id, message.request().getMessage().getBody()));
      }
      CompletableFuture.allOf(broadcast.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - broadcastStarted);
      longestBroadcast = took.compareTo(longestBroadcast) > 0 ? took : longestBroadcast;
      messages.answer(message.id(), false);
    }

    assertThat(disconnects.events).as("every client that does not read is closed").hasSize(clientCount);
    assertThat(longestBroadcast).as("the longest broadcast")
        .isLessThan(slowClient.plus(Duration.ofSeconds(3)));
    assertThat(local.runtime().connectionCount("chat")).isZero();
  }

  private ClientConnection connection(String id) {
    return RuntimeInternals.gateway(local.runtime()).endpoint("chat").orElseThrow().connection(id);
  }

  private CompletableFuture<Status> sendAsync(String id, ByteString data) {
    return local.app().sendAsync("chat", id, data);
  }
}
