package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.contract.MutableClock;
import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionPruner;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A gateway answers "gone" both for a connection that has closed and for one it has not opened
 * yet: the app registers a connection when it accepts the connect, and the gateway opens it only
 * once that answer has reached it. An entry younger than the connect grace is therefore kept.
 */
class ConnectionPrunerTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final SendOutcome GONE = new SendOutcome.Gone("could not get connection");

  @Test
  void aBroadcastDuringAConnectLeavesTheEntryOfTheConnectionTheGatewayHasNotOpenedYet() {
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    Instant now = Instant.now();
    // registered a moment ago: the connect's answer is still on its way to the gateway
    registry.register(connectedAt(ConnectionId.of("opening"), now.minusMillis(5)));
    registry.register(connectedAt(ConnectionId.of("open"), now.minus(Duration.ofMinutes(5))));

    RecordingSender gateway = new RecordingSender();
    gateway.gone.add(ConnectionId.of("opening"));

    BroadcastReport report = new Websocket(CHAT, registry, gateway).broadcast("hi").toCompletableFuture().join();

    assertThat(report).as("the gateway's answers are reported as they came").isEqualTo(new BroadcastReport(1, 1, 0));
    assertThat(registry.find(CHAT, ConnectionId.of("opening")).toCompletableFuture().join())
        .as("the entry of the connection the gateway is about to open").isPresent();
  }

  @Test
  void aGoneConnectionIsPrunedOnceItIsOlderThanTheGrace() {
    MutableClock clock = new MutableClock(Instant.parse("2030-01-01T12:00:00Z"));
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry(clock);
    ConnectionPruner pruner = new ConnectionPruner(registry, clock, Duration.ofSeconds(30));
    ConnectionId id = ConnectionId.of("left");
    registry.register(connectedAt(id, clock.instant().minusSeconds(29)));

    assertThat(pruner.afterSend(CHAT, id, GONE).toCompletableFuture().join()).isEqualTo(GONE);
    assertThat(registry.find(CHAT, id).toCompletableFuture().join()).as("29 s after its connect").isPresent();

    clock.advance(Duration.ofSeconds(2));
    assertThat(pruner.afterSend(CHAT, id, GONE).toCompletableFuture().join()).isEqualTo(GONE);
    assertThat(registry.find(CHAT, id).toCompletableFuture().join()).as("31 s after its connect").isEmpty();
  }

  @Test
  void deliveredAndFailedSendsPruneNothing() {
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    ConnectionPruner pruner = new ConnectionPruner(registry, Clock.systemUTC(), Duration.ZERO);
    ConnectionId id = ConnectionId.of("here");
    registry.register(connectedAt(id, Instant.now().minus(Duration.ofHours(1))));

    pruner.afterSend(CHAT, id, SendOutcome.DELIVERED).toCompletableFuture().join();
    pruner.afterSend(CHAT, id, new SendOutcome.Failed(new RuntimeException("timeout"))).toCompletableFuture().join();

    assertThat(registry.find(CHAT, id).toCompletableFuture().join()).isPresent();
  }

  @Test
  void aGoneConnectionThatIsNotRegisteredIsNoFailure() {
    ConnectionPruner pruner = new ConnectionPruner(new InMemoryConnectionRegistry());

    assertThat(pruner.afterSend(CHAT, ConnectionId.of("never"), GONE).toCompletableFuture().join()).isEqualTo(GONE);
  }

  @Test
  void refusesANegativeGrace() {
    assertThatThrownBy(() -> new ConnectionPruner(new InMemoryConnectionRegistry(), Clock.systemUTC(),
        Duration.ofSeconds(-1))).hasMessageContaining("connectGrace").hasMessageContaining("PT-1S");
  }

  private static Connection connectedAt(ConnectionId id, Instant at) {
    return new Connection(CHAT, id, Map.of(), QueryParameters.empty(), at, at.plus(Duration.ofHours(2)));
  }
}
