package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A handler hands work to answerAfter and returns: the app waits for it without a thread. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AnswerAfterTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void theAnswerAndTheConnectionsNextEventWaitForTheWorkWhileOthersGoOn() {
    CompletableFuture<Void> work = new CompletableFuture<>();
    List<String> seen = new CopyOnWriteArrayList<>();
    app = WebsocketApp.builder(registry, new RecordingSender())
        .handlerThreads(1)
        .socket(CHAT, SocketHandler.builder().onMessage(m -> {
          seen.add(m.connectionId() + ":" + m.text());
          if (m.text().equals("slow")) {
            m.answerAfter(work);
          }
        }).build())
        .build();

    CompletableFuture<EventAnswer> slow = message("a", "slow");
    CompletableFuture<EventAnswer> next = message("a", "next");
    CompletableFuture<EventAnswer> other = message("b", "other");

    assertThat(other).as("the one handler thread is free").succeedsWithin(WAIT);
    assertThat(slow).isNotDone();
    assertThat(next).isNotDone();
    assertThat(seen).containsExactly("a:slow", "b:other");

    work.complete(null);
    assertThat(slow).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
    assertThat(next).succeedsWithin(WAIT);
    assertThat(seen).containsExactly("a:slow", "b:other", "a:next");
  }

  @Test
  void aConnectWhoseWorkFailsOrNeverEndsIsRejectedAndNotRegistered() {
    app = WebsocketApp.builder(registry, new RecordingSender())
        .handlerTimeout(Duration.ofMillis(300))
        .socket(CHAT, SocketHandler.builder().onConnect(c -> {
          if (c.query().first("fail").isPresent()) {
            c.answerAfter(CompletableFuture.failedFuture(new IllegalStateException("lookup failed")));
          } else {
            c.answerAfter(new CompletableFuture<>());
          }
        }).build())
        .build();

    assertThat(connect("failing", "fail")).succeedsWithin(WAIT).isEqualTo(EventAnswer.FAILED);
    assertThat(connect("never", "wait")).succeedsWithin(WAIT).isEqualTo(EventAnswer.FAILED);
    assertThat(registry.count(CHAT).toCompletableFuture().join()).isZero();
  }

  @Test
  void aConnectAcceptedByItsWorkIsRegisteredWithTheAttributesTheWorkSet() {
    app = WebsocketApp.builder(registry, new RecordingSender())
        .socket(CHAT, SocketHandler.builder().onConnect(c ->
            c.answerAfter(CompletableFuture.supplyAsync(() -> "ada").thenAccept(user -> c.attribute("user", user))))
            .build())
        .build();

    assertThat(connect("c1", "x")).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
    assertThat(registry.find(CHAT, ConnectionId.of("c1")).toCompletableFuture().join().orElseThrow().attributes())
        .containsEntry("user", "ada");
  }

  @Test
  void answerAfterIsRefusedOnceTheHandlerHasReturned() {
    AtomicReference<MessageContext> kept = new AtomicReference<>();
    app = WebsocketApp.builder(registry, new RecordingSender())
        .socket(CHAT, SocketHandler.builder().onMessage(kept::set).build())
        .build();

    assertThat(message("a", "hi")).succeedsWithin(WAIT);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> kept.get().answerAfter(new CompletableFuture<>()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("has returned");
  }

  private CompletableFuture<EventAnswer> message(String from, String text) {
    return app.handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of(from), text)).toCompletableFuture();
  }

  private CompletableFuture<EventAnswer> connect(String id, String flag) {
    return app.handle(new SocketEvent.Connect(CHAT, ConnectionId.of(id),
        QueryParameters.ofSingle(java.util.Map.of(flag, "1")))).toCompletableFuture();
  }
}
