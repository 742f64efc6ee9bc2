package dev.nitricws.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.Broadcaster;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BroadcasterTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private final TestRegistry registry = new TestRegistry();

  @Test
  void deliversToEveryConnectionAndPrunesTheGoneOnes() {
    register(20);
    Set<ConnectionId> gone = Set.of(id(3), id(7), id(11));
    Set<ConnectionId> reached = ConcurrentHashMap.newKeySet();

    BroadcastReport report = broadcast(registry, 4, 3, id -> {
      if (gone.contains(id)) {
        return CompletableFuture.completedFuture(new SendOutcome.Gone("410"));
      }
      reached.add(id);
      return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    }).toCompletableFuture().join();

    assertThat(report).isEqualTo(new BroadcastReport(17, 3, 0));
    assertThat(reached).hasSize(17).doesNotContainAnyElementsOf(gone);
    assertThat(registry.count(CHAT).toCompletableFuture().join()).isEqualTo(17L);
    for (ConnectionId g : gone) {
      assertThat(registry.find(CHAT, g).toCompletableFuture().join()).isEmpty();
    }
  }

  @Test
  void skipsTheSenderWhenAsked() {
    register(5);
    List<ConnectionId> reached = new CopyOnWriteArrayList<>();

    BroadcastReport report = broadcast(registry, 2, 2, id -> {
      reached.add(id);
      return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    }, id(2)).toCompletableFuture().join();

    assertThat(report.delivered()).isEqualTo(4);
    assertThat(reached).doesNotContain(id(2)).hasSize(4);
  }

  @Test
  void countsFailuresWithoutPruningAndSurvivesASenderThatThrows() {
    register(6);
    BroadcastReport report = broadcast(registry, 10, 2, id -> {
      if (id.equals(id(1))) {
        throw new IllegalStateException("sender bug");
      }
      if (id.equals(id(2))) {
        return CompletableFuture.failedFuture(new RuntimeException("unavailable"));
      }
      if (id.equals(id(3))) {
        return CompletableFuture.completedFuture(new SendOutcome.Failed(new RuntimeException("timeout")));
      }
      return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    }).toCompletableFuture().join();

    assertThat(report).isEqualTo(new BroadcastReport(3, 0, 3));
    assertThat(registry.count(CHAT).toCompletableFuture().join()).isEqualTo(6L);
  }

  @Test
  void neverHasMoreSendsInFlightThanTheBound() {
    register(50);
    int bound = 5;
    List<CompletableFuture<SendOutcome>> pending = new CopyOnWriteArrayList<>();
    AtomicInteger started = new AtomicInteger();

    CompletionStage<BroadcastReport> run = broadcast(registry, 7, bound, id -> {
      started.incrementAndGet();
      CompletableFuture<SendOutcome> never = new CompletableFuture<>();
      pending.add(never);
      return never;
    });

    // a sender that never completes: the broadcast must stop at the bound and wait
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> started.get() == bound);
    assertThat(run.toCompletableFuture()).isNotDone();

    // completing sends lets exactly as many new ones start
    pending.get(0).complete(SendOutcome.DELIVERED);
    pending.get(1).complete(SendOutcome.DELIVERED);
    await().atMost(Duration.ofSeconds(2)).until(() -> started.get() == bound + 2);
    await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> started.get() == bound + 2);

    // drain everything: each completion may start another send
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      pending.forEach(f -> f.complete(SendOutcome.DELIVERED));
      return run.toCompletableFuture().isDone();
    });
    assertThat(run.toCompletableFuture().join().delivered()).isEqualTo(50);
    assertThat(started.get()).isEqualTo(50);
  }

  @Test
  void expiredConnectionsAreNeverSentTo() {
    Instant past = Instant.now().minus(Duration.ofHours(3));
    registry.register(new Connection(CHAT, id(1), Map.of(), QueryParameters.empty(), past, past.plus(Duration.ofHours(2))));
    register(0);
    registry.register(connection(2));
    Set<ConnectionId> reached = ConcurrentHashMap.newKeySet();

    broadcast(registry, 500, 256, id -> {
      reached.add(id);
      return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    }).toCompletableFuture().join();

    assertThat(reached).containsExactly(id(2));
  }

  @Test
  void aScanFailureFailsTheBroadcastAfterStartedSendsEnd() {
    ConnectionRegistry broken = new FailingScanRegistry(registry);
    register(3);
    AtomicInteger sent = new AtomicInteger();

    CompletionStage<BroadcastReport> run = broadcast(broken, 2, 2, id -> {
      sent.incrementAndGet();
      return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    });

    assertThatThrownBy(() -> run.toCompletableFuture().join())
        .hasCauseInstanceOf(ConnectionStoreException.class).hasMessageContaining("store down");
    assertThat(sent.get()).isEqualTo(2);
  }

  @Test
  void refusesNonsenseLimits() {
    BoundedSender sender = new BoundedSender(new ScriptedSender(id -> null), registry);
    assertThatThrownBy(() -> new Broadcaster(registry, sender, 0, 1)).hasMessageContaining("pageSize");
    assertThatThrownBy(() -> new Broadcaster(registry, sender, 10, 0)).hasMessageContaining("maxInFlight");
  }

  /** Delivers the first page, then fails as a store would. */
  private record FailingScanRegistry(ConnectionRegistry inner) implements ConnectionRegistry {
    @Override
    public CompletionStage<Void> register(Connection connection) {
      return inner.register(connection);
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
      return onPage.apply(List.of(id(0), id(1)))
          .thenCompose(v -> CompletableFuture.failedFuture(new ConnectionStoreException("store down")));
    }
  }

  private static CompletionStage<BroadcastReport> broadcast(ConnectionRegistry registry, int pageSize, int maxInFlight,
      Function<ConnectionId, CompletionStage<SendOutcome>> answer) {
    return broadcast(registry, pageSize, maxInFlight, answer, null);
  }

  /** A broadcast of one message through a sender that answers as {@code answer} says. */
  private static CompletionStage<BroadcastReport> broadcast(ConnectionRegistry registry, int pageSize, int maxInFlight,
      Function<ConnectionId, CompletionStage<SendOutcome>> answer, ConnectionId except) {
    BoundedSender sender = new BoundedSender(new ScriptedSender(answer), new ConnectionPruner(registry),
        new SendBudget(), Duration.ofSeconds(10));
    return new Broadcaster(registry, sender, pageSize, maxInFlight).broadcast(CHAT, new byte[] {'h', 'i'}, except);
  }

  private void register(int n) {
    for (int i = 0; i < n; i++) {
      registry.register(connection(i));
    }
  }

  /** Connected a minute ago: past the connect grace, so a gone answer prunes it. */
  private static Connection connection(int i) {
    Instant now = Instant.now();
    return new Connection(CHAT, id(i), Map.of(), QueryParameters.empty(), now.minus(Duration.ofMinutes(1)),
        now.plus(Duration.ofHours(1)));
  }

  private static ConnectionId id(int i) {
    return ConnectionId.of(String.format("c%03d", i));
  }
}
