package dev.nitricws.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import dev.nitricws.json.JacksonJsonMapper;
import dev.nitricws.ports.EventAnswer;
import dev.nitricws.ports.WebsocketApp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The example chat never parks a handler thread on a slow client, and keeps each sender's order. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChatHandlerTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final StuckSender sender = new StuckSender(Set.of(ConnectionId.of("stuck")));
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void otherConnectionsAreAnsweredWhileBroadcastsWaitOnAClientThatNeverReads() throws Exception {
    // two handler threads, and a send timeout far beyond the test: only a handler that gives its
    // thread back while its broadcast waits lets a third connection be answered at all
    app = WebsocketApp.builder(registry, sender)
        .handlerThreads(2)
        .sendTimeout(Duration.ofSeconds(30))
        .socket(CHAT, new ChatHandler(new JacksonJsonMapper()))
        .build();
    for (String id : List.of("stuck", "a1", "a2", "b")) {
      assertThat(handle(new SocketEvent.Connect(CHAT, ConnectionId.of(id), QueryParameters.empty())))
          .isEqualTo(EventAnswer.ACCEPT);
    }

    CompletableFuture<EventAnswer> fromA1 = message("a1", "one");
    CompletableFuture<EventAnswer> fromA2 = message("a2", "two");
    CompletableFuture<EventAnswer> fromB = message("b", "three");

    CompletableFuture<EventAnswer> newcomer =
        app.handle(new SocketEvent.Connect(CHAT, ConnectionId.of("c"), QueryParameters.empty())).toCompletableFuture();

    assertThat(newcomer).succeedsWithin(Duration.ofSeconds(3)).isEqualTo(EventAnswer.ACCEPT);
    await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
        assertThat(sender.received(ConnectionId.of("a1"))).containsExactlyInAnyOrder("one", "two", "three"));
    // each sender's answer waits for its own broadcast, which waits on the client that never reads
    assertThat(fromA1).isNotDone();
    assertThat(fromA2).isNotDone();
    assertThat(fromB).isNotDone();
  }

  @Test
  void oneSendersMessagesReachEveryoneInTheOrderSent() {
    app = WebsocketApp.builder(registry, sender)
        .handlerThreads(2)
        .sendTimeout(Duration.ofMillis(200))
        .socket(CHAT, new ChatHandler(new JacksonJsonMapper()))
        .build();
    for (String id : List.of("stuck", "a", "b")) {
      handle(new SocketEvent.Connect(CHAT, ConnectionId.of(id), QueryParameters.empty()));
    }
    List<CompletableFuture<EventAnswer>> answers = new ArrayList<>();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add("m" + i);
      answers.add(message("a", "m" + i));
    }

    assertThat(CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))).succeedsWithin(Duration.ofSeconds(20));
    assertThat(sender.received(ConnectionId.of("b"))).containsExactlyElementsOf(sent);
    assertThat(sender.received(ConnectionId.of("a"))).containsExactlyElementsOf(sent);
  }

  private CompletableFuture<EventAnswer> message(String from, String text) {
    return app.handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of(from), text)).toCompletableFuture();
  }

  private EventAnswer handle(SocketEvent event) {
    return app.handle(event).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Never answers a send to the stuck ids; records the others in order. */
  private static final class StuckSender implements MessageSender {
    private final Set<ConnectionId> stuck;
    private final Map<ConnectionId, List<String>> received = new ConcurrentHashMap<>();

    StuckSender(Set<ConnectionId> stuck) {
      this.stuck = stuck;
    }

    @Override
    public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
      if (stuck.contains(id)) {
        return new CompletableFuture<>();
      }
      received.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(new String(data, StandardCharsets.UTF_8));
      return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    }

    @Override
    public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
      return send(socket, id, new byte[0]);
    }

    List<String> received(ConnectionId id) {
      return received.getOrDefault(id, List.of());
    }
  }
}
