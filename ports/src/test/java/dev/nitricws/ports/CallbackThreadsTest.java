package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sends end on a transport's I/O thread (gRPC's or Netty's event loop), which must never block: the
 * stages the app hands out complete on its callback executor instead, so code chained to them may
 * block without stalling the transport.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CallbackThreadsTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final HeldSender gateway = new HeldSender();
  /** The transport's thread: it completes every send. */
  private final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "transport-io"));
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
    io.shutdownNow();
  }

  @Test
  void codeChainedToASendRunsOnTheAppsCallbackThreadsNotOnTheTransportsThread() throws Exception {
    app = WebsocketApp.builder(registry, gateway).socket(CHAT, SocketHandler.builder().build()).build();
    register("a");

    CompletableFuture<String> ranOn = app.websocket(CHAT).send(ConnectionId.of("a"), "hi")
        .thenApply(outcome -> Thread.currentThread().getName()).toCompletableFuture();
    deliverOnIoThread(1);

    assertThat(ranOn.get(5, TimeUnit.SECONDS)).startsWith("nitricws-callback-");
  }

  @Test
  void aBlockingContinuationOfABroadcastDoesNotHoldTheTransportsThread() throws Exception {
    app = WebsocketApp.builder(registry, gateway).socket(CHAT, SocketHandler.builder().build()).build();
    register("a");
    register("b");
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> blocked = app.websocket(CHAT).broadcast("hi").thenRun(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }).toCompletableFuture();

    deliverOnIoThread(2);
    // the transport's thread is free again while the continuation still waits
    assertThat(io.submit(() -> "free").get(5, TimeUnit.SECONDS)).isEqualTo("free");
    assertThat(blocked).isNotDone();
    release.countDown();
    blocked.get(5, TimeUnit.SECONDS);
  }

  @Test
  void aGroupBroadcastAndAContextsReplyCompleteOnTheGivenCallbackExecutor() throws Exception {
    ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-callbacks"));
    List<String> replyRanOn = new CopyOnWriteArrayList<>();
    try {
      app = WebsocketApp.builder(registry, gateway).callbackExecutor(callbacks)
          .socket(CHAT, SocketHandler.builder()
              .onMessageAsync(m -> m.reply("echo").thenAccept(o -> replyRanOn.add(Thread.currentThread().getName())))
              .build())
          .build();
      register("a");
      app.websocket(CHAT).group("red").join(ConnectionId.of("a")).toCompletableFuture().get(5, TimeUnit.SECONDS);

      CompletableFuture<String> groupRanOn = app.websocket(CHAT).group("red").broadcast("hi")
          .thenApply(report -> Thread.currentThread().getName()).toCompletableFuture();
      deliverOnIoThread(1);
      assertThat(groupRanOn.get(5, TimeUnit.SECONDS)).isEqualTo("my-callbacks");

      CompletionStage<EventAnswer> answer = app.handle(
          SocketEvent.Message.ofText(CHAT, ConnectionId.of("a"), "x"));
      deliverOnIoThread(2);
      assertThat(answer.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(EventAnswer.ACCEPT);
      assertThat(replyRanOn).containsExactly("my-callbacks");
    } finally {
      app.close();
      app = null;
      callbacks.shutdownNow();
    }
  }

  @Test
  void aGroupsMemberPagesReachTheCallerOnTheCallbackThreads() throws Exception {
    app = WebsocketApp.builder(registry, gateway).socket(CHAT, SocketHandler.builder().build()).build();
    register("a");
    app.websocket(CHAT).group("red").join(ConnectionId.of("a")).toCompletableFuture().get(5, TimeUnit.SECONDS);
    List<String> pageRanOn = new CopyOnWriteArrayList<>();

    long delivered = app.websocket(CHAT).group("red").members(10, ids -> {
      pageRanOn.add(Thread.currentThread().getName());
      return CompletableFuture.completedFuture(null);
    }).toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertThat(delivered).isEqualTo(1);
    assertThat(pageRanOn).singleElement().asString().startsWith("nitricws-callback-");
  }

  /** Completes the first {@code n} sends, as delivered, on the transport's thread. */
  private void deliverOnIoThread(int n) {
    Awaitility.await().atMost(WAIT).until(() -> gateway.answers.size() >= n);
    io.execute(gateway::deliverAll);
  }

  private void register(String id) {
    Instant now = Instant.now().minus(Duration.ofMinutes(1));
    registry.register(new Connection(CHAT, ConnectionId.of(id), Map.of(), QueryParameters.empty(), now,
        now.plus(Duration.ofHours(2)))).toCompletableFuture().join();
  }
}
