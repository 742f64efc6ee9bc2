package dev.nitricws.it.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.adapters.nitric.NitricRuntimeClient;
import dev.nitricws.adapters.nitric.NitricSettings;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import dev.nitricws.it.support.ReadmeExamples;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.WsClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The README's example of embedding nitric-ws without Guice: it compiles here, runs against the
 * local runtime with real websocket clients, and the README must show exactly these lines.
 */
class EmbeddingExampleIT {

  private static final Path SOURCE = Path.of("src/test/java/dev/nitricws/it/embedding/EmbeddingExampleIT.java");
  private static final Path README = Path.of("../README.md");

  /** The example; the lines between the markers are the README's. */
  static Example embed(String serviceAddress) {
    // example:start
    NitricRuntimeClient nitric = NitricRuntimeClient.connect(NitricSettings.address(serviceAddress, NitricSettings.Environment.RUN));
    ConnectionRegistry registry = nitric.kvRegistry("connections"); // or Redis, Postgres, in-memory

    WebsocketApp app = WebsocketApp.builder(registry, nitric.sender())
        .socket("chat", SocketHandler.builder()
            .onConnect(c -> c.query().first("user").ifPresentOrElse(
                user -> c.attribute("user", user), () -> c.reject("who are you?")))
            .onMessage(m -> m.broadcast(m.text()))
            .build())
        .build();
    nitric.serve(app).toCompletableFuture().join(); // declares the socket and store, registers handlers

    // anywhere else (an HTTP handler, a scheduled job):
    app.websocket("chat").broadcast("maintenance in 5 minutes");
    // example:end
    return new Example(nitric, app);
  }

  record Example(NitricRuntimeClient nitric, WebsocketApp app) implements AutoCloseable {
    @Override
    public void close() {
      nitric.close();
      app.close();
    }
  }

  @Test
  void theReadmeExampleServesRealClients() {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start();
        Example example = embed(runtime.serviceAddress());
        WsClient ada = WsClient.open(runtime.websocketPort("chat"), "/?user=ada")) {
      int port = runtime.websocketPort("chat");
      assertThat(WsClient.refusal(port, "/")).isEqualTo(new WsClient.Refusal(403, "who are you?"));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> example.app().websocket("chat").connectionCount().toCompletableFuture().join() == 1);

      ada.send("hi");
      assertThat(ada.nextText()).isEqualTo("hi");

      example.app().websocket("chat").broadcast("from a scheduled job").toCompletableFuture().join();
      assertThat(ada.nextText()).isEqualTo("from a scheduled job");
    }
  }

  @Test
  void theReadmeShowsExactlyThisExample() throws IOException {
    ReadmeExamples.assertShown(SOURCE, README);
  }
}
