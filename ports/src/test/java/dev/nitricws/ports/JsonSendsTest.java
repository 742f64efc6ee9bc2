package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Sends of bytes and of objects written as JSON, from a Websocket and from a handler's context. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JsonSendsTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final HeldSender gateway = new HeldSender();
  private final PointMapper mapper = new PointMapper();
  private final List<SocketError> errors = new CopyOnWriteArrayList<>();
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  record Point(int x, int y) {}

  /** Writes a Point as {@code {"x":1,"y":2}} and reads that form back; counts the writes. */
  static final class PointMapper implements JsonMapper {
    final AtomicInteger writes = new AtomicInteger();

    @Override
    public byte[] toJson(Object value) {
      writes.incrementAndGet();
      if (!(value instanceof Point p)) {
        throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON: not a Point");
      }
      return ("{\"x\":" + p.x() + ",\"y\":" + p.y() + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public <T> T fromJson(byte[] json, Class<T> type) {
      String text = new String(json, StandardCharsets.UTF_8);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"x\":(\\d+),\"y\":(\\d+)}").matcher(text);
      if (type != Point.class || !m.matches()) {
        throw new IllegalArgumentException("cannot read JSON as " + type.getName() + ": not a point");
      }
      return type.cast(new Point(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    }
  }

  @Test
  void aJsonBroadcastWritesItsObjectOnceAndEverySendSharesTheArray() {
    register("a");
    register("b");
    register("c");
    app = serve(SocketHandler.builder().build(), mapper);

    CompletableFuture<?> report = app.websocket(CHAT).broadcastJson(new Point(1, 2)).toCompletableFuture();
    awaitSent(3);
    gateway.deliverAll();

    assertThat(report).succeedsWithin(WAIT);
    assertThat(mapper.writes).hasValue(1);
    assertThat(gateway.sent).containsExactlyInAnyOrder("a:{\"x\":1,\"y\":2}", "b:{\"x\":1,\"y\":2}", "c:{\"x\":1,\"y\":2}");
    assertThat(gateway.arrays).allSatisfy(array -> assertThat(array).isSameAs(gateway.arrays.get(0)));
  }

  @Test
  void sendJsonGoesToOneConnectionAndBroadcastJsonExceptSkipsOne() {
    register("a");
    register("b");
    app = serve(SocketHandler.builder().build(), mapper);
    Websocket socket = app.websocket(CHAT);

    socket.sendJson(ConnectionId.of("a"), new Point(3, 4));
    socket.broadcastJsonExcept(ConnectionId.of("a"), new Point(5, 6));
    awaitSent(2);

    assertThat(gateway.sent).containsExactlyInAnyOrder("a:{\"x\":3,\"y\":4}", "b:{\"x\":5,\"y\":6}");
  }

  @Test
  void anObjectTheMapperCannotWriteFailsAtOnceAndSendsNothing() {
    register("a");
    app = serve(SocketHandler.builder().build(), mapper);

    assertThatThrownBy(() -> app.websocket(CHAT).broadcastJson("not a point"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.String");
    assertThatThrownBy(() -> app.websocket(CHAT).sendJson(ConnectionId.of("a"), null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("value");
    assertThat(gateway.sent).isEmpty();
  }

  @Test
  void withoutAMapperTheJsonMethodsFailSayingHowToSetOne() {
    register("a");
    app = WebsocketApp.builder(registry, gateway)
        .socket(CHAT, SocketHandler.builder()
            .onMessage(m -> m.replyJson(m.json(Point.class)))
            .onError(errors::add)
            .build())
        .build();

    assertThatThrownBy(() -> app.websocket(CHAT).sendJson(ConnectionId.of("a"), new Point(1, 2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("socket 'chat' has no JsonMapper").hasMessageContaining("jsonMapper(");
    assertThatThrownBy(() -> app.websocket(CHAT).broadcastJson(new Point(1, 2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("jsonMapper(");
    assertThat(message("a", "{\"x\":1,\"y\":2}")).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.during()).isEqualTo("message handler");
      assertThat(e.cause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("jsonMapper(");
    });
    assertThat(gateway.sent).isEmpty();
  }

  @Test
  void jsonReadsThePayloadWithTheAppsMapperAndAPayloadThatDoesNotFitFailsTheHandler() {
    List<Point> seen = new CopyOnWriteArrayList<>();
    app = serve(SocketHandler.builder().onMessage(m -> seen.add(m.json(Point.class))).onError(errors::add).build(), mapper);

    assertThat(message("a", "{\"x\":7,\"y\":8}")).succeedsWithin(WAIT);
    assertThat(message("a", "[1, 2]")).succeedsWithin(WAIT);

    assertThat(seen).containsExactly(new Point(7, 8));
    assertThat(errors).singleElement().satisfies(e -> assertThat(e.cause())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Point.class.getName()));
  }

  static Stream<Arguments> shorthands() {
    byte[] bytes = "raw".getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        Arguments.of("reply(byte[])", (SocketHandler.Callback<MessageContext>) m -> m.reply(bytes)),
        Arguments.of("broadcast(byte[])", (SocketHandler.Callback<MessageContext>) m -> m.broadcast(bytes)),
        Arguments.of("broadcastToOthers(byte[])", (SocketHandler.Callback<MessageContext>) m -> m.broadcastToOthers(bytes)),
        Arguments.of("replyJson", (SocketHandler.Callback<MessageContext>) m -> m.replyJson(new Point(1, 1))),
        Arguments.of("broadcastJson", (SocketHandler.Callback<MessageContext>) m -> m.broadcastJson(new Point(1, 1))),
        Arguments.of("broadcastJsonToOthers",
            (SocketHandler.Callback<MessageContext>) m -> m.broadcastJsonToOthers(new Point(1, 1))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shorthands")
  void everyShorthandIsWaitedForBeforeTheConnectionsNextMessage(String name, SocketHandler.Callback<MessageContext> send) {
    register("a");
    register("b");
    List<String> handled = new CopyOnWriteArrayList<>();
    app = serve(SocketHandler.builder().onMessage(m -> {
      handled.add(m.text());
      send.handle(m);
    }).build(), mapper);

    CompletableFuture<EventAnswer> first = message("a", "one");
    CompletableFuture<EventAnswer> second = message("a", "two");
    awaitSent(1);

    assertThat(first).as("answered only once its send has ended").isNotDone();
    assertThat(second).isNotDone();
    assertThat(handled).containsExactly("one");
    deliverUntilDone(first);
    assertThat(first).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
    deliverUntilDone(second);
    assertThat(second).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
    assertThat(handled).containsExactly("one", "two");
  }

  /** Answers sends as they come until {@code answer} is done (a broadcast's sends may start one by one). */
  private void deliverUntilDone(CompletableFuture<?> answer) {
    Awaitility.await().atMost(WAIT).until(() -> {
      gateway.deliverAll();
      return answer.isDone();
    });
  }

  private WebsocketApp serve(SocketHandler handler, JsonMapper json) {
    return WebsocketApp.builder(registry, gateway).jsonMapper(json).socket(CHAT, handler).build();
  }

  private void register(String id) {
    Instant now = Instant.now().minus(Duration.ofMinutes(1));
    registry.register(new Connection(CHAT, ConnectionId.of(id), Map.of(), QueryParameters.empty(), now,
        now.plus(Duration.ofHours(2)))).toCompletableFuture().join();
  }

  private void awaitSent(int n) {
    Awaitility.await().atMost(WAIT).until(() -> gateway.sent.size() >= n);
  }

  private CompletableFuture<EventAnswer> message(String from, String text) {
    return app.handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of(from), text)).toCompletableFuture();
  }
}
