package dev.nitricws.runtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.RuntimeAndApp;
import dev.nitricws.runtime.TestApp;
import dev.nitricws.runtime.TestApp.Event;
import dev.nitricws.runtime.TestApp.EventStream;
import dev.nitricws.runtime.TestApp.Mode;
import dev.nitricws.runtime.WsClient;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection the app hears of in its Connect event exists for SendMessage from then on: never
 * "gone" while its upgrade is still under way.
 */
class OpeningConnectionTest {

  @RegisterExtension
  final RuntimeAndApp local = new RuntimeAndApp();
  private EventStream connects;
  private int port;

  @BeforeEach
  void start() {
    local.start();
    local.app().declareWebsocket("chat");
    connects = local.app().register("chat", WebsocketEventType.Connect, Mode.MANUAL);
    port = local.runtime().websocketPort("chat");
  }

  @Test
  void sendsBeforeTheUpgradeCompletesAreHeldAndDeliveredOnceItDoes() throws Exception {
    CompletableFuture<WsClient> client = WsClient.connect(port, "/");
    Event connect = connects.next();
    String id = connect.request().getConnectionId();

    List<CompletableFuture<Status>> sends = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sends.add(sendAsync(id, "welcome " + i));
    }
    await("the sends are held, not answered").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> sends.stream().noneMatch(CompletableFuture::isDone));
    connects.answer(connect.id(), false);
    WsClient open = client.orTimeout(10, TimeUnit.SECONDS).join();

    // three concurrent calls: the runtime keeps the order they reach it in, which gRPC does not fix
    assertThat(List.of(open.next(), open.next(), open.next()))
        .containsExactlyInAnyOrder("welcome 0", "welcome 1", "welcome 2");
    for (CompletableFuture<Status> send : sends) {
      assertThat(send.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    }
  }

  @Test
  void sendsBeyondWhatIsHeldWhileOpeningAnswerUnavailableNotGone() throws Exception {
    CompletableFuture<WsClient> client = WsClient.connect(port, "/");
    Event connect = connects.next();
    String id = connect.request().getConnectionId();

    List<CompletableFuture<Status>> sends = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sends.add(sendAsync(id, "m" + i));
    }
    await().atMost(TestApp.WAIT).until(() -> sends.stream().filter(CompletableFuture::isDone).count() >= 40 - 16);
    connects.answer(connect.id(), false);
    client.orTimeout(10, TimeUnit.SECONDS).join();

    List<Status> answers = new ArrayList<>();
    for (CompletableFuture<Status> send : sends) {
      answers.add(send.get(10, TimeUnit.SECONDS));
    }
    assertThat(answers).extracting(Status::getCode).containsOnly(Status.Code.OK, Status.Code.UNAVAILABLE);
    assertThat(answers).filteredOn(status -> status.getCode() == Status.Code.OK).hasSize(16);
    assertThat(answers).filteredOn(status -> status.getCode() == Status.Code.UNAVAILABLE).first()
        .satisfies(status -> assertThat(status.getDescription()).contains(id, "still opening"));
  }

  @Test
  void oneMessageLargerThanTheWriteBufferIsHeldAsItWouldBeSentWhenOpen() throws Exception {
    CompletableFuture<WsClient> client = WsClient.connect(port, "/");
    Event connect = connects.next();
    String id = connect.request().getConnectionId();
    String large = "x".repeat(LocalRuntime.DEFAULT_WRITE_BUFFER_SIZE + 1);

    CompletableFuture<Status> first = sendAsync(id, large);
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !first.isDone());
    Status second = sendAsync(id, "then this").get(10, TimeUnit.SECONDS);
    connects.answer(connect.id(), false);

    assertThat(second.getCode()).as("over the buffer once something is held").isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(first.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(client.orTimeout(10, TimeUnit.SECONDS).join().next()).isEqualTo(large);
  }

  @Test
  void sendsHeldForAConnectionThatNeverOpensFailAsGone() throws Exception {
    CompletableFuture<WsClient> client = WsClient.connect(port, "/");
    Event connect = connects.next();
    String id = connect.request().getConnectionId();
    CompletableFuture<Status> send = sendAsync(id, "never delivered");

    connects.answer(connect.id(), true);

    assertThat(client).failsWithin(TestApp.WAIT);
    Status status = send.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(status.getDescription()).isEqualTo("could not get connection " + id);
  }

  @Test
  void closeConnectionWhileOpeningClosesTheConnectionOnceItOpens() throws Exception {
    EventStream disconnects = local.app().register("chat", WebsocketEventType.Disconnect, Mode.ACCEPT);
    CompletableFuture<WsClient> client = WsClient.connect(port, "/");
    Event connect = connects.next();
    String id = connect.request().getConnectionId();
    CompletableFuture<Status> closed = closeAsync(id);
    await("the close waits for the upgrade").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> !closed.isDone());

    connects.answer(connect.id(), false);

    assertThat(client.orTimeout(10, TimeUnit.SECONDS).join().awaitClose()).isEqualTo(1000);
    assertThat(closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(disconnects.next().request().getConnectionId()).isEqualTo(id);
  }

  /**
   * Many clients connect while the app, in each connect handler, broadcasts to every connection it
   * knows, the new one included, before it accepts. No send to a connection that then opened may
   * answer "gone", or the app would prune a brand-new connection.
   */
  @Test
  void aBroadcastStormDuringConnectsNeverAnswersGoneForAConnectionThatOpens() throws Exception {
    int clientCount = 20;
    List<String> known = new CopyOnWriteArrayList<>();
    Map<String, List<CompletableFuture<Status>>> sendsTo = new ConcurrentHashMap<>();
    List<CompletableFuture<WsClient>> clients = new ArrayList<>();
    for (int i = 0; i < clientCount; i++) {
      clients.add(WsClient.connect(port, "/?n=" + i));
    }

    for (int i = 0; i < clientCount; i++) {
      Event connect = connects.next();
      String id = connect.request().getConnectionId();
      known.add(id);
      for (String target : known) {
        for (int m = 0; m < 3; m++) {
          sendsTo.computeIfAbsent(target, t -> new CopyOnWriteArrayList<>()).add(sendAsync(target, "hello " + i));
        }
      }
      connects.answer(connect.id(), false);
    }
    for (CompletableFuture<WsClient> client : clients) {
      client.orTimeout(10, TimeUnit.SECONDS).join();
    }

    // a client has its 101 a moment before the gateway's handshake listener marks the connection open
    await("every connection open").atMost(TestApp.WAIT)
        .untilAsserted(() -> assertThat(local.runtime().connectionCount("chat")).isEqualTo(clientCount));
    for (Map.Entry<String, List<CompletableFuture<Status>>> target : sendsTo.entrySet()) {
      for (CompletableFuture<Status> send : target.getValue()) {
        assertThat(send.get(10, TimeUnit.SECONDS).getCode()).as("a send to %s, which opened", target.getKey())
            .isIn(Status.Code.OK, Status.Code.UNAVAILABLE);
      }
    }
  }

  private CompletableFuture<Status> sendAsync(String id, String text) {
    return local.app().sendAsync("chat", id, ByteString.copyFromUtf8(text));
  }

  private CompletableFuture<Status> closeAsync(String id) {
    return local.app().closeAsync("chat", id);
  }
}
