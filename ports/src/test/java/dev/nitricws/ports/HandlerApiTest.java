package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Handlers as users write them: async callbacks, context sends that keep order, the error hook. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HandlerApiTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final HeldSender gateway = new HeldSender();
  private final List<SocketError> errors = new CopyOnWriteArrayList<>();
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void aBroadcastThroughTheContextKeepsOneSendersMessagesInOrderWithoutJoin() {
    register("a");
    app = serve(SocketHandler.builder().onMessage(m -> m.broadcast(m.text())).build());

    CompletableFuture<EventAnswer> first = message("a", "one");
    CompletableFuture<EventAnswer> second = message("a", "two");

    awaitSent(1);
    assertThat(first).as("answered only once its broadcast has ended").isNotDone();
    assertThat(second).isNotDone();
    assertThat(gateway.sent).containsExactly("a:one");

    gateway.answers.get(0).complete(SendOutcome.DELIVERED);
    assertThat(first).succeedsWithin(WAIT);
    awaitSent(2);
    assertThat(gateway.sent).containsExactly("a:one", "a:two");
    gateway.answers.get(1).complete(SendOutcome.DELIVERED);
    assertThat(second).succeedsWithin(WAIT);
  }

  @Test
  void anAsyncHandlerIsWaitedForBeforeTheConnectionsNextMessage() {
    register("a");
    app = serve(SocketHandler.builder().onMessageAsync(m -> m.socket().broadcast(m.text())).build());

    CompletableFuture<EventAnswer> first = message("a", "one");
    CompletableFuture<EventAnswer> second = message("a", "two");

    awaitSent(1);
    assertThat(first).isNotDone();
    assertThat(gateway.sent).containsExactly("a:one");
    gateway.answers.get(0).complete(SendOutcome.DELIVERED);
    awaitSent(2);
    gateway.answers.get(1).complete(SendOutcome.DELIVERED);
    assertThat(second).succeedsWithin(WAIT);
    assertThat(gateway.sent).containsExactly("a:one", "a:two");
  }

  @Test
  void aThrowingHandlerAndAFailedReplyReachTheErrorHook() {
    app = serve(SocketHandler.builder()
        .onMessage(m -> {
          if (m.text().equals("boom")) {
            throw new IllegalStateException("handler bug");
          }
          m.reply("echo " + m.text());
        })
        .onError(errors::add)
        .build());

    assertThat(message("a", "boom")).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
    CompletableFuture<EventAnswer> echoed = message("a", "hi");
    awaitSent(1);
    gateway.answers.get(0).complete(new SendOutcome.Failed(new IllegalStateException("gateway refused")));

    assertThat(echoed).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
    assertThat(errors).extracting(SocketError::during).containsExactly("message handler", "reply");
    assertThat(errors.get(0).cause()).hasMessage("handler bug");
    assertThat(errors.get(0).connectionId()).isEqualTo(ConnectionId.of("a"));
    assertThat(errors.get(1).cause()).hasMessage("gateway refused");
  }

  @Test
  void aHandlerOutOfTimeReachesTheErrorHookAsATimeout() {
    app = WebsocketApp.builder(registry, gateway)
        .handlerTimeout(Duration.ofMillis(200))
        .socket(CHAT, SocketHandler.builder().onConnectAsync(c -> new CompletableFuture<>()).onError(errors::add).build())
        .build();

    CompletableFuture<EventAnswer> answer = app.handle(new SocketEvent.Connect(CHAT, ConnectionId.of("slow"),
        QueryParameters.empty())).toCompletableFuture();

    assertThat(answer).succeedsWithin(WAIT).isEqualTo(EventAnswer.FAILED);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.during()).isEqualTo("connect handler");
      assertThat(e.cause()).isInstanceOf(TimeoutException.class).hasMessageContaining("PT0.2S");
    });
  }

  @Test
  void aConnectHandlerReadsTheAttributesSetSoFar() {
    List<String> seen = new CopyOnWriteArrayList<>();
    app = serve(SocketHandler.builder()
        .authenticate(c -> new Authentication.Authenticated("ada"))
        .onConnect(c -> seen.add(c.attribute("user").orElse("?") + "/" + c.attribute("role").orElse("none")))
        .build());

    assertThat(app.handle(new SocketEvent.Connect(CHAT, ConnectionId.of("c1"), QueryParameters.empty()))
        .toCompletableFuture()).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
    assertThat(seen).containsExactly("ada/none");
  }

  private WebsocketApp serve(SocketHandler handler) {
    return WebsocketApp.builder(registry, gateway).socket(CHAT, handler).build();
  }

  private void register(String id) {
    Instant now = Instant.now().minus(Duration.ofMinutes(1));
    registry.register(new Connection(CHAT, ConnectionId.of(id), Map.of(), QueryParameters.empty(), now,
        now.plus(Duration.ofHours(2)))).toCompletableFuture().join();
  }

  private void awaitSent(int n) {
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> gateway.sent.size() >= n);
  }

  private CompletableFuture<EventAnswer> message(String from, String text) {
    return app.handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of(from), text)).toCompletableFuture();
  }
}
