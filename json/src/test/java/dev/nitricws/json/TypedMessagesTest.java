package dev.nitricws.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.EventAnswer;
import dev.nitricws.ports.SocketError;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Messages routed by their type field to handlers of records, and the error replies of the ones that cannot be. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TypedMessagesTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final RecordingSender gateway = new RecordingSender();
  private final JacksonJsonMapper mapper = new JacksonJsonMapper();
  private final List<Object> seen = new CopyOnWriteArrayList<>();
  private final List<SocketError> errors = new CopyOnWriteArrayList<>();
  private WebsocketApp app;

  record Say(String text) {
    Say {
      if (text == null || text.isBlank()) {
        throw new IllegalArgumentException("text must not be blank");
      }
    }
  }

  record Move(int x, int y) {}

  enum Mood { HAPPY, SAD }

  record Feel(Mood mood) {}

  /** A record with a property named like the type field: it keeps the field. */
  record Tagged(String action, String note) {}

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  private TypedMessages.Builder routes() {
    return TypedMessages.builder(mapper)
        .on("say", Say.class, (m, say) -> {
          seen.add(say);
          m.broadcastJsonToOthers(say);
        })
        .on("move", Move.class, (m, move) -> {
          seen.add(move);
          m.replyJson(move);
        })
        .on("feel", Feel.class, (m, feel) -> seen.add(feel))
        .on("tag", Tagged.class, (m, tagged) -> seen.add(tagged));
  }

  @Test
  void eachTypeGoesToItsHandlerAsItsRecordAndRepliesAreWrittenByTheSameMapper() {
    register("a");
    register("b");
    serve(routes().build());

    answer("a", "{\"action\":\"say\",\"text\":\"hello\"}");
    answer("a", "{\"action\":\"move\",\"x\":1,\"y\":-2}");
    answer("a", "{\"action\":\"feel\",\"mood\":\"HAPPY\"}");

    assertThat(seen).containsExactly(new Say("hello"), new Move(1, -2), new Feel(Mood.HAPPY));
    assertThat(gateway.to("b")).containsExactly("{\"text\":\"hello\"}");
    assertThat(gateway.to("a")).containsExactly("{\"x\":1,\"y\":-2}");
    assertThat(errors).isEmpty();
  }

  @Test
  void theTypeFieldIsDroppedUnlessTheRecordHasSuchAProperty() {
    ObjectMapper strict = JacksonJsonMapper.defaultObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    serve(TypedMessages.builder(new JacksonJsonMapper(strict))
        .on("move", Move.class, (m, move) -> seen.add(move))
        .on("tag", Tagged.class, (m, tagged) -> seen.add(tagged))
        .build());

    answer("a", "{\"action\":\"move\",\"x\":3,\"y\":4}");
    answer("a", "{\"action\":\"tag\",\"note\":\"n\"}");
    answer("a", "{\"action\":\"move\",\"x\":3,\"y\":4,\"z\":5}");

    assertThat(seen).containsExactly(new Move(3, 4), new Tagged("tag", "n"));
    assertThat(reply("a", 0).get("error").asText()).isEqualTo("invalid-message");
    assertThat(reply("a", 0).get("message").asText()).isEqualTo("'move' message: unknown field 'z'");
  }

  @Test
  void theDefaultMapperIgnoresPropertiesTheRecordLacks() {
    serve(routes().build());

    answer("a", "{\"action\":\"move\",\"x\":1,\"y\":2,\"extra\":{\"deep\":[1,2]}}");

    assertThat(seen).containsExactly(new Move(1, 2));
  }

  @Test
  void theTypeFieldCanBeAnotherAndErrorRepliesUseIt() {
    serve(routes().typeField("type").build());

    answer("a", "{\"type\":\"move\",\"x\":5,\"y\":6}");
    answer("a", "{\"action\":\"move\",\"x\":5,\"y\":6}");

    assertThat(seen).containsExactly(new Move(5, 6));
    assertThat(gateway.to("a")).hasSize(2);
    assertThat(reply("a", 1).get("type").asText()).isEqualTo("error");
    assertThat(reply("a", 1).get("error").asText()).isEqualTo("missing-type");
    assertThat(reply("a", 1).get("message").asText()).contains("'type'");
  }

  @Test
  void anUnknownTypeGoesToTheFallbackWhenThereIsOne() {
    List<String> unknown = new CopyOnWriteArrayList<>();
    serve(routes().otherwise((m, type) -> unknown.add(type)).build());

    answer("a", "{\"action\":\"dance\",\"style\":\"tango\"}");

    assertThat(unknown).containsExactly("dance");
    assertThat(gateway.to("a")).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{nope                                          | invalid-json    | not JSON: ",
      "[1, 2]                                         | invalid-json    | a message is one JSON object",
      "``                                             | invalid-json    | a message is one JSON object",
      "{\"action\":\"say\"} trailing                  | invalid-json    | not JSON: ",
      "{\"text\":\"hi\"}                              | missing-type    | the message has no string field 'action'",
      "{\"action\":5}                                 | missing-type    | the message has no string field 'action'",
      "{\"action\":\"dance\"}                         | unknown-type    | no handler for action 'dance'; known: say, move, feel, tag",
      "{\"action\":\"move\",\"x\":\"left\",\"y\":1}   | invalid-message | 'move' message: field 'x' must be a number",
      "{\"action\":\"say\",\"text\":{\"a\":1}}        | invalid-message | 'say' message: field 'text' must be a string",
      "{\"action\":\"feel\",\"mood\":\"ANGRY\"}       | invalid-message | 'feel' message: field 'mood' must be one of HAPPY, SAD",
      "{\"action\":\"say\",\"text\":\"  \"}           | invalid-message | 'say' message: text must not be blank",
      "{\"action\":\"say\"}                           | invalid-message | 'say' message: text must not be blank",
  })
  void aMessageThatCannotBeHandledGetsAnErrorReplyAndNotTheErrorHook(String payload, String code, String message) {
    serve(routes().build());

    assertThat(message("a", payload)).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);

    assertThat(gateway.to("a")).hasSize(1);
    JsonNode reply = reply("a", 0);
    assertThat(reply.get("action").asText()).isEqualTo("error");
    assertThat(reply.get("error").asText()).isEqualTo(code);
    assertThat(reply.get("message").asText()).startsWith(message);
    assertThat(reply.size()).isEqualTo(3);
    assertThat(seen).isEmpty();
    assertThat(errors).isEmpty();
  }

  @Test
  void anErrorReplyQuotesABoundedPartOfWhatTheClientSent() {
    String huge = "x".repeat(20_000);
    serve(routes().build());

    answer("a", "{\"action\":\"" + huge + "\"}");
    answer("a", "{\"action\":\"say\",\"text\":" + huge + "}");
    answer("a", "{\"action\":\"move\",\"" + huge + "\":\"left\",\"x\":\"left\"}");

    assertThat(gateway.to("a")).hasSize(3).allSatisfy(reply -> {
      assertThat(reply).hasSizeLessThan(600);
      assertThat(reply).doesNotContain("x".repeat(JacksonJsonMapper.QUOTED_INPUT + 1));
    });
    assertThat(reply("a", 0).get("error").asText()).isEqualTo("unknown-type");
    assertThat(reply("a", 1).get("error").asText()).isEqualTo("invalid-json");
    assertThat(reply("a", 2).get("error").asText()).isEqualTo("invalid-message");
  }

  @Test
  void whatAHandlerThrowsGoesToTheErrorHookWithNoReply() {
    serve(TypedMessages.builder(mapper)
        .on("say", Say.class, (m, say) -> {
          throw new IllegalStateException("handler bug");
        })
        .build());

    answer("a", "{\"action\":\"say\",\"text\":\"hi\"}");

    assertThat(gateway.to("a")).isEmpty();
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.during()).isEqualTo("message handler");
      assertThat(e.cause()).hasMessage("handler bug");
    });
  }

  @Test
  void anAsyncHandlersWorkIsWaitedForBeforeTheConnectionsNextMessage() {
    CompletableFuture<Void> work = new CompletableFuture<>();
    serve(TypedMessages.builder(mapper)
        .onAsync("say", Say.class, (m, say) -> {
          seen.add("a:" + say.text());
          return say.text().equals("slow") ? work : null;
        })
        .on("move", Move.class, (m, move) -> seen.add(m.connectionId() + ":" + move))
        .build());

    CompletableFuture<EventAnswer> slow = message("a", "{\"action\":\"say\",\"text\":\"slow\"}");
    CompletableFuture<EventAnswer> next = message("a", "{\"action\":\"move\",\"x\":1,\"y\":1}");
    CompletableFuture<EventAnswer> other = message("b", "{\"action\":\"move\",\"x\":2,\"y\":2}");

    assertThat(other).as("another connection goes on").succeedsWithin(WAIT);
    assertThat(slow).isNotDone();
    assertThat(next).isNotDone();
    assertThat(seen).containsExactly("a:slow", "b:" + new Move(2, 2));

    work.complete(null);
    assertThat(slow).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
    assertThat(next).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
    assertThat(seen).containsExactly("a:slow", "b:" + new Move(2, 2), "a:" + new Move(1, 1));
  }

  @Test
  void theBuilderRefusesWhatCannotWork() {
    assertThatThrownBy(() -> TypedMessages.builder(mapper).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least one handler");
    assertThatThrownBy(() -> TypedMessages.builder(mapper).on("say", Say.class, (m, s) -> {}).on("say", Move.class, (m, s) -> {}))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'say' already has a handler");
    assertThatThrownBy(() -> TypedMessages.builder(mapper).typeField(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("typeField");
    assertThatThrownBy(() -> TypedMessages.builder(mapper).on("", Say.class, (m, s) -> {}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
  }

  private void serve(TypedMessages messages) {
    app = WebsocketApp.builder(registry, gateway)
        .jsonMapper(mapper)
        .socket(CHAT, SocketHandler.builder().onMessageAsync(messages).onError(errors::add).build())
        .build();
  }

  private void register(String id) {
    Instant now = Instant.now().minus(Duration.ofMinutes(1));
    registry.register(new Connection(CHAT, ConnectionId.of(id), Map.of(), QueryParameters.empty(), now,
        now.plus(Duration.ofHours(2)))).toCompletableFuture().join();
  }

  private CompletableFuture<EventAnswer> message(String from, String payload) {
    return app.handle(SocketEvent.Message.ofText(CHAT, ConnectionId.of(from), payload)).toCompletableFuture();
  }

  private void answer(String from, String payload) {
    assertThat(message(from, payload)).succeedsWithin(WAIT).isEqualTo(EventAnswer.ACCEPT);
  }

  private JsonNode reply(String to, int index) {
    return mapper.fromJson(gateway.to(to).get(index).getBytes(java.nio.charset.StandardCharsets.UTF_8), JsonNode.class);
  }
}
