package dev.nitricws.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.nitricws.proto.kvstore.v1.KvStoreGrpc;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysRequest;
import dev.nitricws.proto.kvstore.v1.Store;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntime;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official Nitric Node SDK (@nitric/sdk 1.2.2), unmodified, runs the seed's broadcast chat
 * against the local runtime, and real websocket clients chat through it.
 *
 * <p>Needs node and npm on the PATH: without them the test is skipped, or fails when the
 * environment variable CI is true. {@code npm ci} runs when the app's node_modules is missing.
 */
class NodeSdkCompatibilityIT {

  private static final Path APP_DIR =
      Path.of(System.getProperty("nitric.it.nodeChatApp", "src/test/node/chat-app")).toAbsolutePath();
  private static final Path LOG_DIR = Path.of("target", "node-chat-app").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private LocalRuntime runtime;
  private Process node;
  private ManagedChannel channel;
  private final List<ChatClient> clients = new ArrayList<>();

  @BeforeEach
  void startRuntimeAndApp() throws Exception {
    requireTool("node");
    requireTool("npm");
    Files.createDirectories(LOG_DIR);
    if (!Files.isDirectory(APP_DIR.resolve("node_modules/@nitric/sdk"))) {
      npmCi();
    }

    runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start();
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", runtime.grpcPort(), InsecureChannelCredentials.create())
        .build();

    ProcessBuilder app = new ProcessBuilder("node", "index.js")
        .directory(APP_DIR.toFile())
        .redirectErrorStream(true)
        .redirectOutput(LOG_DIR.resolve("app.log").toFile());
    app.environment().put("SERVICE_ADDRESS", runtime.serviceAddress());
    app.environment().put("NITRIC_ENVIRONMENT", "run");
    node = app.start();

    await("the Node app declares its socket and store and registers its three handlers")
        .atMost(WAIT)
        .until(() -> {
          if (!node.isAlive()) {
            fail("the Node app exited with %d:%n%s", node.exitValue(), appLog());
          }
          return runtime.websockets().contains("chat")
              && runtime.declaredResources().keyValueStores().contains("connections")
              && runtime.handlerCount("chat", WebsocketEventType.Connect) == 1
              && runtime.handlerCount("chat", WebsocketEventType.Disconnect) == 1
              && runtime.handlerCount("chat", WebsocketEventType.Message) == 1;
        });
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(ChatClient::abort);
    if (node != null) {
      node.destroy();
      if (!node.waitFor(10, TimeUnit.SECONDS)) {
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      System.out.printf("--- Node app output ---%n%s%n", appLog());
    }
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void broadcastReachesEveryConnectedClientAndNotOneThatLeft() throws Exception {
    int port = runtime.websocketPort("chat");
    ChatClient alice = connect(port);
    ChatClient bob = connect(port);
    ChatClient carol = connect(port);
    // the SDK app stored each connection id in its 'connections' store before accepting
    assertThat(storedConnections()).hasSize(3);

    alice.send("hello from alice");

    assertThat(alice.next()).isEqualTo("hello from alice");
    assertThat(bob.next()).isEqualTo("hello from alice");
    assertThat(carol.next()).isEqualTo("hello from alice");

    carol.close();
    await("the app's disconnect handler removes carol").atMost(WAIT).until(() -> storedConnections().size() == 2);
    bob.send("carol left");

    assertThat(alice.next()).isEqualTo("carol left");
    assertThat(bob.next()).isEqualTo("carol left");
    assertThat(carol.received).isEmpty();
  }

  private ChatClient connect(int port) {
    ChatClient client = new ChatClient();
    HTTP.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), client)
        .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
        .join();
    clients.add(client);
    return client;
  }

  private List<String> storedConnections() {
    List<String> keys = new ArrayList<>();
    KvStoreGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .scanKeys(KvStoreScanKeysRequest.newBuilder().setStore(Store.newBuilder().setName("connections")).build())
        .forEachRemaining(response -> keys.add(response.getKey()));
    return keys;
  }

  private static void npmCi() throws IOException, InterruptedException {
    Path npmLog = LOG_DIR.resolve("npm-ci.log");
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
        .directory(APP_DIR.toFile())
        .redirectErrorStream(true)
        .redirectOutput(npmLog.toFile())
        .start();
    if (!npm.waitFor(5, TimeUnit.MINUTES)) {
      npm.destroyForcibly();
      fail("npm ci in %s did not finish within 5 minutes", APP_DIR);
    }
    if (npm.exitValue() != 0) {
      fail("npm ci in %s failed with %d:%n%s", APP_DIR, npm.exitValue(), Files.readString(npmLog));
    }
  }

  /** Skips (or fails when CI=true) with a message naming the missing tool. */
  private static void requireTool(String tool) throws InterruptedException {
    String problem;
    try {
      Process version = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
      version.getInputStream().readAllBytes();
      problem = version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0
          ? null
          : "'" + tool + " --version' failed";
    } catch (IOException e) {
      problem = "'" + tool + "' is not on the PATH (" + e.getMessage() + ")";
    }
    if (problem == null) {
      return;
    }
    String message = "NodeSdkCompatibilityIT needs node 20+ and npm: " + problem;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  private String appLog() {
    try {
      return Files.readString(LOG_DIR.resolve("app.log"));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** A real websocket client that keeps the text messages it receives. */
  private static final class ChatClient implements WebSocket.Listener {
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;

    @Override
    public void onOpen(WebSocket webSocket) {
      socket = webSocket;
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      received.add("(binary) " + new String(bytes, StandardCharsets.UTF_8));
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }

    void send(String text) {
      socket.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    String next() throws InterruptedException {
      String message = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(message).as("a message within %s", WAIT).isNotNull();
      return message;
    }

    void close() {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
      assertThat(closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join()).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }

    void abort() {
      WebSocket current = socket;
      if (current != null) {
        current.abort();
      }
    }
  }
}
