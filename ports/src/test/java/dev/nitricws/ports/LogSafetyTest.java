package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.Headers;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tokens travel in queries and headers: no log line shows a query or header value, whatever
 * happens to the event, and text from user code or clients cannot start a line of its own. The
 * app logs through System.Logger, whose default backend here is java.util.logging.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LogSafetyTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final String TOKEN = "s3cret-t0ken-value";
  private static final Logger ROOT = Logger.getLogger("dev.nitricws");

  /** Guarded by itself: each formatted message. */
  private final List<String> lines = new ArrayList<>();
  /** Guarded by lines: the exceptions logged with them, as text (their stack traces follow the line). */
  private final List<String> thrown = new ArrayList<>();
  private final Handler capture = new Handler() {
    private final SimpleFormatter formatter = new SimpleFormatter();

    @Override
    public void publish(LogRecord record) {
      String line = formatter.formatMessage(record);
      synchronized (lines) {
        lines.add(line);
        if (record.getThrown() != null) {
          thrown.add(record.getThrown().toString());
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Level level;
  private WebsocketApp app;

  @BeforeEach
  void captureEverything() {
    level = ROOT.getLevel();
    ROOT.setLevel(Level.ALL);
    capture.setLevel(Level.ALL);
    ROOT.addHandler(capture);
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    ROOT.removeHandler(capture);
    ROOT.setLevel(level);
  }

  @Test
  void noQueryOrHeaderValueReachesALogLineWhenHandlersTimeOutThrowOrReject() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    app = WebsocketApp.builder(new InMemoryConnectionRegistry(), new RecordingSender())
        .handlerTimeout(Duration.ofMillis(200))
        .socket(CHAT, SocketHandler.builder()
            .onConnect(c -> {
              switch (c.connectionId().value()) {
                case "slow" -> release.await(5, TimeUnit.SECONDS);
                case "throws" -> throw new IllegalStateException("cannot check the token");
                case "failing-work" -> c.answerAfter(CompletableFuture.failedFuture(new IllegalStateException("lookup")));
                default -> c.reject("token refused");
              }
            })
            .onMessage(m -> {
              throw new IllegalArgumentException("bad message");
            })
            .build())
        .build();

    for (String id : List.of("slow", "throws", "failing-work")) {
      assertThat(answer(connect(CHAT, id))).isEqualTo(EventAnswer.FAILED);
    }
    assertThat(answer(connect(CHAT, "refused"))).isEqualTo(new EventAnswer.Reject(403, "token refused"));
    assertThat(answer(connect(SocketName.of("other"), "elsewhere"))).isEqualTo(EventAnswer.FAILED);
    answer(SocketEvent.Message.ofText(CHAT, ConnectionId.of("refused"), "hello " + TOKEN));
    release.countDown();

    List<String> logged = logged();
    assertThat(logged).as("something was logged about each event")
        .anyMatch(l -> l.contains("slow")).anyMatch(l -> l.contains("throws"))
        .anyMatch(l -> l.contains("failing-work")).anyMatch(l -> l.contains("refused"))
        .anyMatch(l -> l.contains("elsewhere"));
    assertThat(logged).noneMatch(l -> l.contains(TOKEN));
    synchronized (lines) {
      assertThat(thrown).isNotEmpty().noneMatch(t -> t.contains(TOKEN));
    }
  }

  /** The line itself; an exception logged with it is printed after it, as its stack trace. */
  @Test
  void textFromUserCodeCannotForgeALogLine() {
    app = WebsocketApp.builder(new InMemoryConnectionRegistry(), new RecordingSender())
        .socket(CHAT, SocketHandler.builder()
            .onConnect(c -> c.reject("no\n2026-01-01 INFO forged line\r\u001b[31m"))
            .onMessage(m -> {
              throw new IllegalStateException("bad\nforged");
            })
            .build())
        .build();

    answer(connect(CHAT, "c1"));
    answer(SocketEvent.Message.ofText(CHAT, ConnectionId.of("c1"), "x"));

    List<String> logged = logged();
    assertThat(logged).anyMatch(l -> l.contains("forged line"));
    assertThat(logged).noneMatch(l -> l.contains("\n") || l.contains("\r") || l.contains("\u001b"));
  }

  @Test
  void eventsQueriesHeadersAndConnectionsNameNoValueInToString() {
    SocketEvent.Connect connect = connect(CHAT, "c1");
    Connection connection = new Connection(CHAT, ConnectionId.of("c1"), Map.of("user", "ada"), connect.query(),
        Instant.EPOCH, Instant.EPOCH.plusSeconds(60));

    assertThat(connect.toString()).contains("c1").contains("chat").doesNotContain(TOKEN);
    assertThat(connect.query().toString()).contains("token").doesNotContain(TOKEN);
    assertThat(connection.toString()).contains("c1").contains("user").doesNotContain(TOKEN).doesNotContain("ada");
  }

  private EventAnswer answer(SocketEvent event) {
    return app.handle(event).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  private List<String> logged() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  private static SocketEvent.Connect connect(SocketName socket, String id) {
    return new SocketEvent.Connect(socket, ConnectionId.of(id), QueryParameters.ofSingle(Map.of("token", TOKEN)),
        Headers.of(Map.of("authorization", List.of("Bearer " + TOKEN))));
  }
}
