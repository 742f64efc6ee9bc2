package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The app answers every connect within its handler timeout, and a connect it has rejected for
 * being late never leaves an entry behind: the gateway has refused that client.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LateConnectTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Duration TIMEOUT = Duration.ofMillis(300);
  private final InMemoryConnectionRegistry memory = new InMemoryConnectionRegistry();
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void aHandlerThatAcceptsAfterTheTimeoutLeavesNoEntry() throws Exception {
    CountDownLatch timedOut = new CountDownLatch(1);
    CountDownLatch returned = new CountDownLatch(1);
    app = WebsocketApp.builder(memory, new RecordingSender())
        .handlerTimeout(TIMEOUT)
        .socket(CHAT, SocketHandler.builder().onConnect(c -> {
          timedOut.await(5, TimeUnit.SECONDS); // accepts only once the app has answered without it
          c.attribute("user", "late");
          returned.countDown();
        }).build())
        .build();

    assertThat(connect("late")).succeedsWithin(TIMEOUT.multipliedBy(3)).isEqualTo(EventAnswer.FAILED);
    timedOut.countDown();
    assertThat(returned.await(5, TimeUnit.SECONDS)).isTrue();
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> memory.count(CHAT).toCompletableFuture().join() == 0);
  }

  @Test
  void aRegistrationThatEndsAfterTheTimeoutIsRejectedAndUndone() {
    CompletableFuture<Void> registered = new CompletableFuture<>();
    ConnectionRegistry slow = new SlowRegistry(memory, registered);
    app = WebsocketApp.builder(slow, new RecordingSender())
        .handlerTimeout(TIMEOUT)
        .socket(CHAT, SocketHandler.builder().build())
        .build();

    CompletableFuture<EventAnswer> answer = connect("slow-store");

    // the app answers by its own timeout, before the event source or the runtime give up
    assertThat(answer).succeedsWithin(TIMEOUT.multipliedBy(3)).isEqualTo(EventAnswer.FAILED);
    registered.complete(null);
    await().atMost(Duration.ofSeconds(2))
        .until(() -> memory.find(CHAT, ConnectionId.of("slow-store")).toCompletableFuture().join().isEmpty());
  }

  @Test
  void theDefaultHandlerTimeoutIsTenSeconds() {
    assertThat(WebsocketApp.DEFAULT_HANDLER_TIMEOUT).isEqualTo(Duration.ofSeconds(10));
  }

  private CompletableFuture<EventAnswer> connect(String id) {
    return app.handle(new SocketEvent.Connect(CHAT, ConnectionId.of(id), QueryParameters.empty())).toCompletableFuture();
  }

  /** Writes at once, but answers the register only when {@code registered} completes. */
  private record SlowRegistry(ConnectionRegistry inner, CompletableFuture<Void> registered) implements ConnectionRegistry {
    @Override
    public CompletionStage<Void> register(Connection connection) {
      return inner.register(connection).thenCompose(v -> registered);
    }

    @Override
    public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
      return inner.unregister(socket, id);
    }

    @Override
    public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
      return inner.find(socket, id);
    }

    @Override
    public CompletionStage<Long> count(SocketName socket) {
      return inner.count(socket);
    }

    @Override
    public CompletionStage<Long> scan(SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
      return inner.scan(socket, pageSize, onPage);
    }
  }
}
