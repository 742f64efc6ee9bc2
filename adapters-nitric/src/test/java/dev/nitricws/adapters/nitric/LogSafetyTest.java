package dev.nitricws.adapters.nitric;

import static dev.nitricws.adapters.nitric.events.FakeEventRuntime.connect;
import static dev.nitricws.proto.websockets.v1.WebsocketEventType.Connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.nitricws.adapters.nitric.events.FakeEventRuntime;
import dev.nitricws.adapters.nitric.events.NitricEventSource;
import dev.nitricws.adapters.nitric.events.TestEvents;
import dev.nitricws.adapters.nitric.kv.FakeKvStore;
import dev.nitricws.adapters.nitric.kv.NitricKvConnectionRegistry;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.EventAnswer;
import dev.nitricws.proto.websockets.v1.ServerMessage;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * What the runtime sends (request ids, status descriptions, stored keys) cannot forge a log line,
 * and no query value (a token) is ever logged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogSafetyTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String TOKEN = "s3cret-t0ken-value";

  private final FakeEventRuntime runtime = new FakeEventRuntime();
  private final FakeKvStore kv = new FakeKvStore();
  @RegisterExtension
  final InProcessGrpc grpc = new InProcessGrpc("nitric-logs", runtime, kv);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("dev.nitricws");
  private Level level;
  private NitricEventSource source;

  @BeforeEach
  void capture() {
    appender.setContext(logger.getLoggerContext());
    appender.start();
    level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logger.addAppender(appender);
  }

  @AfterEach
  void release() {
    if (source != null) {
      source.close();
    }
    logger.detachAppender(appender);
    logger.setLevel(level);
  }

  @Test
  void idsDescriptionsAndKeysFromTheRuntimeAreEscapedAndNoQueryValueIsLogged() {
    TestEvents events = new TestEvents("chat").answering(e -> switch (e.connectionId().value()) {
      case "fails" -> CompletableFuture.failedFuture(new IllegalStateException("app\nbroke"));
      case "silent" -> new CompletableFuture<>();
      default -> CompletableFuture.completedFuture(EventAnswer.ACCEPT);
    });
    source = NitricEventSource.builder(grpc.channel(), events)
        .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .answerTimeout(Duration.ofMillis(300))
        .build();
    assertThat(source.start().toCompletableFuture()).succeedsWithin(WAIT);
    Map<String, List<String>> query = Map.of("token", List.of(TOKEN));

    send("fails\n2026-01-01 ERROR forged", "fails", query);
    send("silent\r\nforged", "silent", query);
    send("bad\nconnection", "bad\u0001id", query);
    send("", "c1", query);
    runtime.send("chat", Connect, ServerMessage.newBuilder().setId("empty\nforged").build());
    await().atMost(WAIT).until(() -> runtime.answerCount() >= 4);
    runtime.stream("chat", Connect).end(Status.UNAVAILABLE.withDescription("runtime going away\nforged"));
    kv.store("connections").put("chat.m.not\nconnection", Struct.newBuilder()
        .putFields("junk", Value.newBuilder().setStringValue(TOKEN).build()).build());
    NitricKvConnectionRegistry.create(grpc.channel()).scan(SocketName.of("chat"), 10, page -> CompletableFuture.completedFuture(null));

    await().atMost(WAIT).untilAsserted(() -> assertThat(lines())
        .anyMatch(l -> l.contains("fails\\u000a2026-01-01 ERROR forged"))
        .anyMatch(l -> l.contains("silent\\u000d\\u000aforged"))
        .anyMatch(l -> l.contains("runtime going away\\u000aforged"))
        .anyMatch(l -> l.contains("not\\u000aconnection"))
        .anyMatch(l -> l.contains("empty\\u000aforged")));
    assertThat(lines()).noneMatch(l -> l.contains("\n") || l.contains("\r") || l.contains(TOKEN));
  }

  private void send(String id, String connection, Map<String, List<String>> query) {
    runtime.send("chat", Connect, connect(id, "chat", connection, query));
  }

  private List<String> lines() {
    return List.copyOf(appender.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
