package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import dev.nitricws.domain.SocketUrls;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebsocketAppTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final RecordingSender sender = new RecordingSender();
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void aSocketsUrlComesFromTheSocketUrlsGivenOrFailsSayingNoneWas() {
    WebsocketApp withUrls = WebsocketApp.builder(registry, sender)
        .socket(CHAT, SocketHandler.builder().build())
        .socketUrls(socket -> CompletableFuture.completedFuture("wss://gateway.example/" + socket))
        .build();
    app = WebsocketApp.builder(registry, sender).socket(CHAT, SocketHandler.builder().build()).build();
    try {
      assertThat(withUrls.websocket(CHAT).url().toCompletableFuture().join()).isEqualTo("wss://gateway.example/chat");
      assertThat(app.websocket(CHAT).url().toCompletableFuture()).isCompletedExceptionally();
      assertThatThrownBy(() -> app.websocket(CHAT).url().toCompletableFuture().join())
          .hasMessageContaining("socket 'chat' has no SocketUrls").hasMessageContaining("socketUrls(");
    } finally {
      withUrls.close();
    }
  }

  @Test
  void anAcceptedConnectIsRegisteredWithItsAttributesAndQuery() {
    app = app(SocketHandler.builder().onConnect(c -> c.attribute("user", c.query().first("user").orElse("?"))).build());

    EventAnswer answer = handle(connect("c1", Map.of("user", List.of("ada"))));

    assertThat(answer).isEqualTo(EventAnswer.ACCEPT);
    Connection stored = registry.find(CHAT, ConnectionId.of("c1")).toCompletableFuture().join().orElseThrow();
    assertThat(stored.attributes()).containsEntry("user", "ada");
    assertThat(stored.query().all("user")).containsExactly("ada");
    assertThat(stored.expiresAt()).isAfter(stored.connectedAt());
  }

  @Test
  void aConnectHandlerSeesTheHeadersTheGatewayPassedOn() {
    app = app(SocketHandler.builder().onConnect(c -> {
      if (!c.headers().first("origin").orElse("").equals("https://chat.example")) {
        c.reject("origin not allowed");
      }
    }).build());

    SocketEvent.Connect fromChat = new SocketEvent.Connect(CHAT, ConnectionId.of("c1"), QueryParameters.empty(),
        dev.nitricws.domain.Headers.of(Map.of("Origin", List.of("https://chat.example"))));
    SocketEvent.Connect fromElsewhere = new SocketEvent.Connect(CHAT, ConnectionId.of("c2"), QueryParameters.empty(),
        dev.nitricws.domain.Headers.of(Map.of("origin", List.of("https://evil.example"))));

    assertThat(handle(fromChat)).isEqualTo(EventAnswer.ACCEPT);
    assertThat(handle(fromElsewhere)).isEqualTo(new EventAnswer.Reject(403, "origin not allowed"));
  }

  @Test
  void aRejectedConnectIsNotRegistered() {
    app = app(SocketHandler.builder().onConnect(c -> {
      if (c.query().first("token").isEmpty()) {
        c.reject("no token");
      }
    }).build());

    assertThat(handle(connect("c1", Map.of()))).isEqualTo(new EventAnswer.Reject(403, "no token"));
    assertThat(handle(connect("c2", Map.of("token", List.of("t"))))).isEqualTo(EventAnswer.ACCEPT);
    assertThat(registry.find(CHAT, ConnectionId.of("c1")).toCompletableFuture().join()).isEmpty();
    assertThat(registry.count(CHAT).toCompletableFuture().join()).isEqualTo(1L);
  }

  @Test
  void aConnectHandlerThatThrowsRejectsAndOtherEventsStillGetAnAnswer() {
    app = app(SocketHandler.builder()
        .onConnect(c -> {
          throw new IllegalStateException("boom");
        })
        .onMessage(m -> {
          throw new IllegalStateException("boom");
        })
        .build());

    assertThat(handle(connect("c1", Map.of()))).isEqualTo(EventAnswer.FAILED);
    assertThat(handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of("c1"), "hi"))).isEqualTo(EventAnswer.ACCEPT);
    assertThat(registry.count(CHAT).toCompletableFuture().join()).isZero();
  }

  @Test
  void aConnectHandlerThatTakesTooLongIsRejected() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    app = WebsocketApp.builder(registry, sender)
        .handlerTimeout(Duration.ofMillis(200))
        .socket(CHAT, SocketHandler.builder().onConnect(c -> release.await(10, TimeUnit.SECONDS)).build())
        .build();

    assertThat(handle(connect("slow", Map.of()))).isEqualTo(EventAnswer.FAILED);
    release.countDown();
    assertThat(registry.count(CHAT).toCompletableFuture().join()).isZero();
  }

  @Test
  void aDisconnectUnregistersBeforeItsHandlerRuns() {
    List<Long> countsSeenByHandler = new CopyOnWriteArrayList<>();
    app = app(SocketHandler.builder()
        .onDisconnect(d -> countsSeenByHandler.add(d.socket().connectionCount().toCompletableFuture().join()))
        .build());
    handle(connect("c1", Map.of()));
    handle(connect("c2", Map.of()));

    assertThat(handle(new SocketEvent.Disconnect(CHAT, ConnectionId.of("c1")))).isEqualTo(EventAnswer.ACCEPT);

    assertThat(countsSeenByHandler).containsExactly(1L);
    assertThat(registry.find(CHAT, ConnectionId.of("c1")).toCompletableFuture().join()).isEmpty();
  }

  @Test
  void eventsOfOneConnectionAreHandledInTheOrderTheyCame() {
    List<String> seen = new CopyOnWriteArrayList<>();
    app = app(SocketHandler.builder().onMessage(m -> seen.add(m.text())).build());
    List<CompletableFuture<EventAnswer>> answers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      answers.add(app.handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of("c1"), "m" + i)).toCompletableFuture());
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      expected.add("m" + i);
    }
    assertThat(seen).containsExactlyElementsOf(expected);
  }

  @Test
  void theSeedsChatBroadcastsToEveryoneAndPrunesTheGone() {
    app = appAMinuteBehind(SocketHandler.builder().onMessage(m -> m.broadcast(m.text()).toCompletableFuture().join())
        .build());
    handle(connect("a", Map.of()));
    handle(connect("b", Map.of()));
    handle(connect("ghost", Map.of()));
    sender.gone.add(ConnectionId.of("ghost"));

    handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of("a"), "hello"));

    assertThat(sender.to(ConnectionId.of("a"))).containsExactly("hello");
    assertThat(sender.to(ConnectionId.of("b"))).containsExactly("hello");
    assertThat(registry.find(CHAT, ConnectionId.of("ghost")).toCompletableFuture().join()).isEmpty();
  }

  @Test
  void sendingFromOutsideAHandlerWorksAndPrunesAGoneConnection() {
    app = appAMinuteBehind(SocketHandler.builder().build());
    handle(connect("a", Map.of()));
    handle(connect("gone", Map.of()));
    sender.gone.add(ConnectionId.of("gone"));
    Websocket chat = app.websocket("chat");

    assertThat(chat.send(ConnectionId.of("a"), "direct").toCompletableFuture().join()).isEqualTo(SendOutcome.DELIVERED);
    assertThat(chat.send(ConnectionId.of("gone"), "x").toCompletableFuture().join().isGone()).isTrue();
    assertThat(chat.close(ConnectionId.of("a")).toCompletableFuture().join().isDelivered()).isTrue();
    assertThat(sender.closed).containsExactly(ConnectionId.of("a"));
    assertThat(chat.connectionCount().toCompletableFuture().join()).isEqualTo(1L);
    assertThatThrownBy(() -> app.websocket("other")).hasMessageContaining("not served").hasMessageContaining("chat");
  }

  @Test
  void eventsForAnUnknownSocketAreAnsweredAndConnectsRefused() {
    app = app(SocketHandler.builder().build());
    assertThat(handle(new SocketEvent.Connect(SocketName.of("other"), ConnectionId.of("x"), QueryParameters.empty())))
        .isEqualTo(EventAnswer.FAILED);
    assertThat(handle(new SocketEvent.Disconnect(SocketName.of("other"), ConnectionId.of("x")))).isEqualTo(EventAnswer.ACCEPT);
  }

  @Test
  void anAppNeedsASocketAndEachSocketOneHandler() {
    assertThatThrownBy(() -> WebsocketApp.builder(registry, sender).build()).hasMessageContaining("at least one socket");
    assertThatThrownBy(() -> WebsocketApp.builder(registry, sender)
        .socket("chat", SocketHandler.builder().build())
        .socket("chat", SocketHandler.builder().build()))
        .hasMessageContaining("already has a handler");
  }

  private WebsocketApp app(SocketHandler handler) {
    return WebsocketApp.builder(registry, sender).socket(CHAT, handler).build();
  }

  /** Its connections are registered as connected a minute ago: past the connect grace, so gone ones are pruned. */
  private WebsocketApp appAMinuteBehind(SocketHandler handler) {
    return WebsocketApp.builder(registry, sender).socket(CHAT, handler)
        .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-1))).build();
  }

  private EventAnswer handle(SocketEvent event) {
    return app.handle(event).toCompletableFuture().join();
  }

  private static SocketEvent.Connect connect(String id, Map<String, List<String>> query) {
    return new SocketEvent.Connect(CHAT, ConnectionId.of(id), new QueryParameters(query));
  }
}
