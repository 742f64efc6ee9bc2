package dev.nitricws.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's example: it compiles and runs here, and the README must show exactly these lines. */
class ReadmeExampleTest {

  private static final Path SOURCE = Path.of("src/test/java/dev/nitricws/json/ReadmeExampleTest.java");
  private static final Path README = Path.of("README.md");

  /** The example; the lines between the markers are the README's. */
  static WebsocketApp example(ConnectionRegistry registry, MessageSender sender) {
    // example:start
    record Say(String text) {
      Say {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("text must not be blank");
      }
    }
    record Move(int x, int y) {}

    JacksonJsonMapper json = new JacksonJsonMapper();
    TypedMessages messages = TypedMessages.builder(json)
        .on("say", Say.class, (m, say) -> m.broadcastJsonToOthers(say))
        .onAsync("move", Move.class, (m, move) -> m.socket().broadcastJson(move))
        .build();
    WebsocketApp app = WebsocketApp.builder(registry, sender)
        .jsonMapper(json)                                  // the same mapper: in and out alike
        .socket("game", SocketHandler.builder().onMessageAsync(messages).build())
        .build();
    // example:end
    return app;
  }

  @Test
  void theReadmeExampleRoutesMessagesToRecords() {
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    RecordingSender gateway = new RecordingSender();
    for (String id : List.of("a", "b")) {
      Instant now = Instant.now();
      registry.register(new Connection(SocketName.of("game"), ConnectionId.of(id), Map.of(), QueryParameters.empty(), now,
          now.plus(Duration.ofHours(1)))).toCompletableFuture().join();
    }
    try (WebsocketApp app = example(registry, gateway)) {
      send(app, "{\"action\":\"say\",\"text\":\"hello\"}");
      send(app, "{\"action\":\"move\",\"x\":1,\"y\":2}");
      send(app, "{\"action\":\"say\",\"text\":\"\"}");

      assertThat(gateway.to("b")).containsExactly("{\"text\":\"hello\"}", "{\"x\":1,\"y\":2}");
      assertThat(gateway.to("a")).containsExactly("{\"x\":1,\"y\":2}",
          "{\"action\":\"error\",\"error\":\"invalid-message\",\"message\":\"'say' message: text must not be blank\"}");
    }
  }

  @Test
  void theReadmeShowsExactlyThisExample() throws IOException {
    List<String> source = Files.readAllLines(SOURCE, StandardCharsets.UTF_8);
    int start = source.indexOf("    // example:start");
    int end = source.indexOf("    // example:end");
    assertThat(start).isPositive();
    assertThat(end).isGreaterThan(start);
    String example = String.join("\n", source.subList(start + 1, end).stream()
        .map(line -> line.length() >= 4 ? line.substring(4) : line).toList());

    assertThat(Files.readString(README, StandardCharsets.UTF_8))
        .as("README.md must show the example of %s verbatim", SOURCE)
        .contains(example);
  }

  private static void send(WebsocketApp app, String payload) {
    app.handle(SocketEvent.Message.ofText(SocketName.of("game"), ConnectionId.of("a"), payload)).toCompletableFuture().join();
  }
}
