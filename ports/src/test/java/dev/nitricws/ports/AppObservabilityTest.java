package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.BroadcastReport;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketMetrics;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the app tells the embedding code: every answer, failed handler, send and broadcast reaches
 * its {@link SocketMetrics}, and handler calls, error hook calls and the app's own log lines about a
 * connection run inside the {@link ConnectionScope} of that connection.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AppObservabilityTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Logger APP_LOG = Logger.getLogger(WebsocketApp.class.getName());

  private final RecordingSender sender = new RecordingSender();
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void everyAnswerFailedHandlerSendAndBroadcastReachesTheMetrics() {
    RecordingMetrics metrics = new RecordingMetrics();
    app = WebsocketApp.builder(new InMemoryConnectionRegistry(), sender)
        .metrics(metrics)
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
            .build())
        .build();
    sender.gone.add(ConnectionId.of("c2"));

    handle(connect("c1", "ada"));
    handle(connect("c2", "bob"));
    handle(new SocketEvent.Connect(CHAT, ConnectionId.of("c3"), QueryParameters.empty()));
    handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of("c1"), "hello"));
    handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of("c1"), "boom"));
    handle(new SocketEvent.Disconnect(CHAT, ConnectionId.of("c1")));

    assertThat(metrics.answers).containsExactly("connect c1 accepted", "connect c2 accepted", "connect c3 rejected",
        "message c1 accepted", "message c1 accepted", "disconnect c1 accepted");
    assertThat(metrics.failures).containsExactly("message c1");
    assertThat(metrics.sends).containsExactlyInAnyOrder("chat Delivered", "chat Gone");
    assertThat(metrics.broadcasts).containsExactly("chat " + new BroadcastReport(1, 1, 0));
  }

  @Test
  void handlersTheErrorHookAndTheAppsLogLinesRunInTheConnectionsScope() {
    ThreadScope scope = new ThreadScope();
    List<String> seen = new CopyOnWriteArrayList<>();
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(scope.current.get() + " " + record.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Level level = APP_LOG.getLevel();
    APP_LOG.setLevel(Level.ALL);
    APP_LOG.addHandler(capture);
    try {
      app = WebsocketApp.builder(new InMemoryConnectionRegistry(), sender)
          .connectionScope(scope)
          .socket(CHAT, SocketHandler.builder()
              .onConnect(c -> {
                seen.add("connect in " + scope.current.get());
                if (c.connectionId().value().equals("c2")) {
                  c.reject("no");
                }
              })
              .onMessage(m -> {
                seen.add("message in " + scope.current.get());
                throw new IllegalStateException("boom");
              })
              .onError(error -> seen.add("error hook in " + scope.current.get()))
              .build())
          .build();

      handle(connect("c1", "ada"));
      handle(connect("c2", "bob"));
      handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of("c1"), "hi"));
      handle(SocketEvent.Message.ofText(SocketName.of("other"), ConnectionId.of("c9"), "hi"));
    } finally {
      APP_LOG.removeHandler(capture);
      APP_LOG.setLevel(level);
    }

    assertThat(seen).containsExactly("connect in chat/c1", "connect in chat/c2", "message in chat/c1",
        "error hook in chat/c1");
    assertThat(logged).as("the rejection and the unserved socket, each in its connection's scope")
        .anyMatch(line -> line.startsWith("chat/c2 connection {0} on {1} rejected"))
        .anyMatch(line -> line.startsWith("other/c9 {0}: this app does not serve that socket"));
    assertThat(scope.opened.get()).as("every scope opened was closed").isEqualTo(scope.closed.get()).isPositive();
  }

  private void handle(SocketEvent event) {
    app.handle(event).toCompletableFuture().join();
  }

  private static SocketEvent.Connect connect(String id, String user) {
    return new SocketEvent.Connect(CHAT, ConnectionId.of(id), new QueryParameters(Map.of("user", List.of(user))));
  }

  /** Keeps {@code socket/id} in a thread-local while a scope is open, restoring the previous value. */
  private static final class ThreadScope implements ConnectionScope {
    final ThreadLocal<String> current = new ThreadLocal<>();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public Opened open(SocketName socket, ConnectionId id) {
      String before = current.get();
      current.set(socket + "/" + id);
      opened.incrementAndGet();
      return () -> {
        current.set(before);
        closed.incrementAndGet();
      };
    }
  }

  /** Records each call as text. */
  private static final class RecordingMetrics implements SocketMetrics {
    final List<String> answers = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final List<String> sends = new CopyOnWriteArrayList<>();
    final List<String> broadcasts = new CopyOnWriteArrayList<>();

    @Override
    public void eventAnswered(SocketEvent event, boolean accepted) {
      answers.add(event.kind() + " " + event.connectionId() + (accepted ? " accepted" : " rejected"));
    }

    @Override
    public void handlerFailed(SocketEvent event) {
      failures.add(event.kind() + " " + event.connectionId());
    }

    @Override
    public void sent(SocketName socket, SendOutcome outcome) {
      sends.add(socket + " " + outcome.getClass().getSimpleName());
    }

    @Override
    public void broadcastEnded(SocketName socket, Duration took, Optional<BroadcastReport> report) {
      assertThat(took).isPositive();
      broadcasts.add(socket + " " + report.map(String::valueOf).orElse("scan failed"));
    }
  }
}
