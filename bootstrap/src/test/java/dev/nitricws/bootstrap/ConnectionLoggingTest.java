package dev.nitricws.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.read.ListAppender;
import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A line a handler logs with SLF4J, and the app's own lines about a connection (System.Logger,
 * routed to SLF4J), carry the connection's id and socket in the MDC, and the configured pattern
 * prints them; a query value never reaches a line or the MDC.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionLoggingTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final String TOKEN = "s3cret-t0ken-value";
  private static final org.slf4j.Logger HANDLER_LOG = LoggerFactory.getLogger("chat-handler");

  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger appLogger = (Logger) LoggerFactory.getLogger(WebsocketApp.class.getName());
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Level appLevel;
  private WebsocketApp app;

  @BeforeEach
  void capture() {
    captured.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    captured.start();
    root.addAppender(captured);
    appLevel = appLogger.getLevel();
    appLogger.setLevel(Level.DEBUG);
  }

  @AfterEach
  void release() {
    if (app != null) {
      app.close();
    }
    root.detachAppender(captured);
    appLogger.setLevel(appLevel);
  }

  @Test
  void linesAboutAConnectionCarryItsIdAndSocketButNeverAQueryValue() {
    app = WebsocketApp.builder(new InMemoryConnectionRegistry(), new NoSender())
        .connectionScope(new MdcConnectionScope())
        .socket(CHAT, SocketHandler.builder()
            .onConnect(c -> {
              HANDLER_LOG.info("hello from the connect handler");
              if (c.connectionId().value().equals("c2")) {
                c.reject("not today");
              }
            })
            .onMessage(m -> HANDLER_LOG.info("got {} bytes", m.bytes().length))
            .build())
        .build();

    handle(connect("c1"));
    handle(connect("c2"));
    handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of("c1"), "hi"));

    assertThat(events("hello from the connect handler")).extracting(ILoggingEvent::getMDCPropertyMap)
        .containsExactly(Map.of("connectionId", "c1", "socket", "chat"), Map.of("connectionId", "c2", "socket", "chat"));
    assertThat(events("got 2 bytes")).extracting(ILoggingEvent::getMDCPropertyMap)
        .containsExactly(Map.of("connectionId", "c1", "socket", "chat"));
    assertThat(events("connection c2 on chat rejected with 403: not today")).as("the app's own line, through System.Logger")
        .extracting(ILoggingEvent::getMDCPropertyMap)
        .containsExactly(Map.of("connectionId", "c2", "socket", "chat"));
    assertThat(List.copyOf(captured.list)).isNotEmpty().allSatisfy(event -> {
      assertThat(event.getFormattedMessage()).doesNotContain(TOKEN);
      assertThat(event.getMDCPropertyMap().values()).noneMatch(value -> value.contains(TOKEN));
    });
    assertThat(MDC.getCopyOfContextMap()).as("nothing left on the calling thread").isNullOrEmpty();
  }

  @Test
  void theConfiguredPatternPrintsTheSocketAndIdOnlyWhereThereAreSome() {
    @SuppressWarnings("unchecked")
    ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) root.getAppender("OUT");

    HANDLER_LOG.info("about nobody");
    try (MdcScope ignored = new MdcScope(new MdcConnectionScope().open(CHAT, ConnectionId.of("c7")))) {
      HANDLER_LOG.info("about c7");
    }

    assertThat(line(console, events("about c7").get(0))).contains("chat-handler [chat c7] - about c7");
    assertThat(line(console, events("about nobody").get(0))).contains("chat-handler - about nobody");
  }

  private static String line(ConsoleAppender<ILoggingEvent> console, ILoggingEvent event) {
    return new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
  }

  private List<ILoggingEvent> events(String message) {
    return List.copyOf(captured.list).stream().filter(e -> e.getFormattedMessage().equals(message)).toList();
  }

  private void handle(SocketEvent event) {
    app.handle(event).toCompletableFuture().join();
  }

  private static SocketEvent.Connect connect(String id) {
    return new SocketEvent.Connect(CHAT, ConnectionId.of(id), new QueryParameters(Map.of("token", List.of(TOKEN))));
  }

  /** An open scope as a resource the test's try block uses. */
  private record MdcScope(dev.nitricws.ports.ConnectionScope.Opened opened) implements AutoCloseable {
    @Override
    public void close() {
      opened.close();
    }
  }

  /** Delivers every send. */
  private static final class NoSender implements MessageSender {
    @Override
    public CompletableFuture<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
      return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    }

    @Override
    public CompletableFuture<SendOutcome> close(SocketName socket, ConnectionId id) {
      return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    }
  }
}
