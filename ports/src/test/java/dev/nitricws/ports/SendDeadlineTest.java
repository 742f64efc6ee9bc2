package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.BoundedSender;
import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A send the gateway never answers ends at the send timeout, as a failure, and holds nothing up. */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SendDeadlineTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Duration SHORT = Duration.ofMillis(200);
  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void aBroadcastToAThousandCompletesThoughOneSendNeverEnds() {
    register(1_001);
    ConnectionId stuck = id(0);

    // one send in flight at a time: a stuck send that kept its slot would stop the broadcast for good
    app = WebsocketApp.builder(registry, new StuckSender(Set.of(stuck)))
        .sendTimeout(SHORT)
        .broadcastPageSize(100)
        .maxSendsInFlight(1)
        .socket(CHAT, SocketHandler.builder().build())
        .build();
    BroadcastReport report = app.websocket(CHAT).broadcast("to all").toCompletableFuture().join();

    assertThat(report).isEqualTo(new BroadcastReport(1_000, 0, 1));
    assertThat(registry.find(CHAT, stuck).toCompletableFuture().join())
        .as("a send that timed out is a failure, not a gone connection: the entry stays").isPresent();
  }

  @Test
  void theAppBoundsEverySendBroadcastAndCloseByItsSendTimeout() {
    Set<ConnectionId> stuck = Set.of(id(0), id(1));
    app = WebsocketApp.builder(registry, new StuckSender(stuck))
        .sendTimeout(SHORT)
        .maxSendsInFlight(2)
        .socket(CHAT, SocketHandler.builder().build())
        .build();
    register(500);
    Websocket chat = app.websocket(CHAT);

    SendOutcome single = chat.send(id(0), "hello").toCompletableFuture().join();
    SendOutcome closed = chat.close(id(1)).toCompletableFuture().join();
    BroadcastReport report = chat.broadcast("to all").toCompletableFuture().join();

    assertThat(single).isInstanceOfSatisfying(SendOutcome.Failed.class,
        f -> assertThat(f.cause()).isInstanceOf(TimeoutException.class).hasMessageContaining("PT0.2S"));
    assertThat(closed).isInstanceOf(SendOutcome.Failed.class);
    assertThat(report).isEqualTo(new BroadcastReport(498, 0, 2));
    assertThat(chat.connectionCount().toCompletableFuture().join()).isEqualTo(500L);
  }

  @Test
  void theSendTimeoutDefaultsToTenSeconds() {
    assertThat(BoundedSender.DEFAULT_SEND_TIMEOUT).isEqualTo(Duration.ofSeconds(10));
    assertThat(new BoundedSender(new StuckSender(Set.of()), registry).sendTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  /** Never answers for some ids, delivers to the others at once. */
  private record StuckSender(Set<ConnectionId> stuck) implements MessageSender {
    @Override
    public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
      return stuck.contains(id) ? new CompletableFuture<>() : CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    }

    @Override
    public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
      return send(socket, id, new byte[0]);
    }
  }

  private void register(int n) {
    Instant now = Instant.now();
    for (int i = 0; i < n; i++) {
      registry.register(new Connection(CHAT, id(i), Map.of(), QueryParameters.empty(), now, now.plus(Duration.ofHours(1))));
    }
  }

  private static ConnectionId id(int i) {
    return ConnectionId.of(String.format("c%04d", i));
  }
}
