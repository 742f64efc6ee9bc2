package dev.nitricws.it.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.adapters.nitric.NitricRuntimeClient;
import dev.nitricws.adapters.nitric.NitricSettings;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.it.support.ReadmeExamples;
import dev.nitricws.json.JacksonJsonMapper;
import dev.nitricws.json.TypedMessages;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.WsClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The README's example of rooms, users and typed messages: it compiles here, runs against the
 * local runtime with real websocket clients, and the README must show exactly these lines.
 */
class RoomsExampleIT {

  private static final Path SOURCE = Path.of("src/test/java/dev/nitricws/it/embedding/RoomsExampleIT.java");
  private static final Path README = Path.of("../README.md");

  record Join(String room) {}

  record Say(String room, String text) {}

  record Said(String room, String from, String text) {}

  /** The example; the lines between the markers are the README's. */
  static EmbeddingExampleIT.Example rooms(String serviceAddress) {
    NitricRuntimeClient nitric = NitricRuntimeClient.connect(NitricSettings.address(serviceAddress, NitricSettings.Environment.RUN));
    ConnectionRegistry registry = nitric.kvRegistry("connections");
    // example:start
    // record Join(String room) {}  record Say(String room, String text) {}  record Said(String room, String from, String text) {}
    JacksonJsonMapper json = new JacksonJsonMapper();
    TypedMessages messages = TypedMessages.builder(json)       // routed by the "action" field
        .onAsync("join", Join.class, (m, join) -> m.join(join.room()))
        .onAsync("leave", Join.class, (m, leave) -> m.leave(leave.room()))
        .onAsync("say", Say.class, (m, say) -> m.socket().group(say.room())
            .broadcastJson(new Said(say.room(), m.user().orElse("?"), say.text())))
        .build();

    WebsocketApp app = WebsocketApp.builder(registry, nitric.sender())
        .jsonMapper(json)
        .socket("chat", SocketHandler.builder()
            .onConnect(c -> c.query().first("user").ifPresentOrElse(c::user, () -> c.reject(401, "who are you?")))
            .onMessageAsync(messages)
            .build())
        .build();
    nitric.serve(app).toCompletableFuture().join();

    // anywhere else: a room, every connection of one user, whether a user is online
    app.websocket("chat").group("lobby").broadcast("maintenance in 5 minutes");
    app.websocket("chat").user("ada").broadcastJson(new Said("direct", "admin", "hello Ada"));
    boolean online = app.websocket("chat").user("ada").hasMembers().toCompletableFuture().join();
    // example:end
    assertThat(online).as("nobody has connected yet").isFalse();
    return new EmbeddingExampleIT.Example(nitric, app);
  }

  @Test
  void theReadmeExampleServesRoomsAndUsersToRealClients() {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start();
        EmbeddingExampleIT.Example example = rooms(runtime.serviceAddress());
        WsClient ada = WsClient.open(runtime.websocketPort("chat"), "/?user=ada");
        WsClient bob = WsClient.open(runtime.websocketPort("chat"), "/?user=bob");
        WsClient cy = WsClient.open(runtime.websocketPort("chat"), "/?user=cy")) {
      int port = runtime.websocketPort("chat");
      var chat = example.app().websocket("chat");
      assertThat(WsClient.refusal(port, "/")).isEqualTo(new WsClient.Refusal(401, "who are you?"));

      ada.send("{\"action\":\"join\",\"room\":\"x\"}");
      bob.send("{\"action\":\"join\",\"room\":\"x\"}");
      cy.send("{\"action\":\"join\",\"room\":\"y\"}");
      await().atMost(Duration.ofSeconds(10)).until(() -> chat.group("x").count().toCompletableFuture().join() == 2
          && chat.group("y").count().toCompletableFuture().join() == 1);

      ada.send("{\"action\":\"say\",\"room\":\"x\",\"text\":\"hi x\"}");
      String said = "{\"room\":\"x\",\"from\":\"ada\",\"text\":\"hi x\"}";
      assertThat(ada.nextText()).isEqualTo(said);
      assertThat(bob.nextText()).isEqualTo(said);
      cy.send("{\"action\":\"say\",\"room\":\"y\",\"text\":\"hi y\"}");
      assertThat(cy.nextText()).as("room y's message comes first: cy never got room x's")
          .isEqualTo("{\"room\":\"y\",\"from\":\"cy\",\"text\":\"hi y\"}");

      cy.send("{\"action\":\"dance\"}");
      assertThat(cy.nextText()).startsWith("{\"action\":\"error\",\"error\":\"unknown-type\"");
      cy.send("not json");
      assertThat(cy.nextText()).startsWith("{\"action\":\"error\",\"error\":\"invalid-json\"");

      chat.user("ada").broadcastJson(new Said("direct", "admin", "hello Ada")).toCompletableFuture().join();
      assertThat(ada.nextText()).isEqualTo("{\"room\":\"direct\",\"from\":\"admin\",\"text\":\"hello Ada\"}");
      assertThat(chat.user("ada").hasMembers().toCompletableFuture().join()).isTrue();

      ada.close();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> !chat.user("ada").hasMembers().toCompletableFuture().join()
              && chat.group("x").count().toCompletableFuture().join() == 1);
    }
  }

  @Test
  void theReadmeShowsExactlyThisExample() throws IOException {
    ReadmeExamples.assertShown(SOURCE, README);
  }
}
