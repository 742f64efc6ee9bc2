package dev.nitricws.adapters.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real app over the in-memory store, its events and sends counted by the Micrometer adapter. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MicrometerSocketMetricsTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void anAppRunIsCountedByEventSendAndBroadcast() {
    // c2 is gone for the gateway, c3's sends fail
    MessageSender sender = new ScriptedSender(Set.of(ConnectionId.of("c2")), Set.of(ConnectionId.of("c3")));
    app = app(new InMemoryConnectionRegistry(), sender);

    handle(connect("c1", "ada"));
    handle(connect("c2", "bob"));
    handle(connect("c3", "cy"));
    handle(new SocketEvent.Connect(CHAT, ConnectionId.of("c4"), QueryParameters.empty()));
    handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of("c1"), "hello"));
    handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of("c1"), "boom"));
    handle(new SocketEvent.Disconnect(CHAT, ConnectionId.of("c3")));
    app.websocket(CHAT).send(ConnectionId.of("c1"), "direct").toCompletableFuture().join();

    assertThat(gauge(MicrometerSocketMetrics.CONNECTIONS_OPEN)).isEqualTo(2.0);
    assertThat(events("connect", "accepted")).isEqualTo(3);
    assertThat(events("connect", "rejected")).isEqualTo(1);
    assertThat(events("message", "accepted")).isEqualTo(2);
    assertThat(events("disconnect", "accepted")).isEqualTo(1);
    assertThat(meters.get(MicrometerSocketMetrics.HANDLER_FAILURES).tags("socket", "chat", "type", "message")
        .counter().count()).isEqualTo(1);
    // the broadcast of "hello" reached c1, c2 (gone) and c3 (failed); then one direct send to c1
    assertThat(sends("delivered")).isEqualTo(2);
    assertThat(sends("gone")).isEqualTo(1);
    assertThat(sends("failed")).isEqualTo(1);
    assertThat(meters.get(MicrometerSocketMetrics.BROADCAST_DURATION).tags("socket", "chat", "outcome", "completed")
        .timer().count()).isEqualTo(1);
    assertThat(meters.get(MicrometerSocketMetrics.BROADCAST_RECIPIENTS).tag("socket", "chat").summary().totalAmount())
        .isEqualTo(3.0);
  }

  @Test
  void aBroadcastWhoseScanFailsIsTimedAsFailed() {
    app = app(new NoScan(new InMemoryConnectionRegistry()), new ScriptedSender(Set.of(), Set.of()));

    assertThat(app.websocket(CHAT).broadcast("hi").toCompletableFuture()).failsWithin(5, TimeUnit.SECONDS);

    assertThat(meters.get(MicrometerSocketMetrics.BROADCAST_DURATION).tags("socket", "chat", "outcome", "failed")
        .timer().count()).isEqualTo(1);
  }

  @Test
  void theMetersOfTheSocketsNamedAtTheStartReadZeroBeforeTheFirstEvent() {
    new MicrometerSocketMetrics(meters, List.of(CHAT));

    assertThat(gauge(MicrometerSocketMetrics.CONNECTIONS_OPEN)).isZero();
    assertThat(events("connect", "accepted")).isZero();
    assertThat(sends("gone")).isZero();
  }

  private WebsocketApp app(ConnectionRegistry registry, MessageSender sender) {
    return WebsocketApp.builder(registry, sender)
        .metrics(new MicrometerSocketMetrics(meters))
        .socket(CHAT, SocketHandler.builder()
            .onConnect(c -> {
              if (c.query().first("user").isEmpty()) {
                c.reject("who are you?");
              }
            })
            .onMessage(m -> {
              if (m.text().equals("boom")) {
                throw new IllegalStateException("boom");
              }
              m.broadcast(m.text());
            })
            .onError(error -> {})
            .build())
        .build();
  }

  private double gauge(String name) {
    return meters.get(name).tag("socket", "chat").gauge().value();
  }

  private double events(String type, String outcome) {
    return meters.get(MicrometerSocketMetrics.EVENTS).tags("socket", "chat", "type", type, "outcome", outcome)
        .counter().count();
  }

  private double sends(String outcome) {
    return meters.get(MicrometerSocketMetrics.SENDS).tags("socket", "chat", "outcome", outcome).counter().count();
  }

  private void handle(SocketEvent event) {
    app.handle(event).toCompletableFuture().join();
  }

  private static SocketEvent.Connect connect(String id, String user) {
    return new SocketEvent.Connect(CHAT, ConnectionId.of(id), new QueryParameters(Map.of("user", List.of(user))));
  }

  /** A store whose scans fail. */
  private record NoScan(ConnectionRegistry store) implements ConnectionRegistry {
    @Override
    public CompletionStage<Void> register(Connection connection) {
      return store.register(connection);
    }

    @Override
    public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
      return store.unregister(socket, id);
    }

    @Override
    public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
      return store.find(socket, id);
    }

    @Override
    public CompletionStage<Long> count(SocketName socket) {
      return store.count(socket);
    }

    @Override
    public CompletionStage<Long> scan(SocketName socket, int pageSize,
        Function<List<ConnectionId>, CompletionStage<?>> onPage) {
      return CompletableFuture.failedFuture(new ConnectionStoreException("store down"));
    }
  }

  /** Answers gone for some ids, fails for others, delivers the rest. */
  private record ScriptedSender(Set<ConnectionId> gone, Set<ConnectionId> failing) implements MessageSender {
    @Override
    public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
      if (gone.contains(id)) {
        return CompletableFuture.completedFuture(new SendOutcome.Gone("410"));
      }
      if (failing.contains(id)) {
        return CompletableFuture.failedFuture(new IllegalStateException("unavailable"));
      }
      return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    }

    @Override
    public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
      return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    }
  }
}
