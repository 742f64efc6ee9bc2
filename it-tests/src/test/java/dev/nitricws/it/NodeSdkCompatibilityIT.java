package dev.nitricws.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.nitricws.it.support.FreePorts;
import dev.nitricws.it.support.JavaProcess;
import dev.nitricws.it.support.Jars;
import dev.nitricws.it.support.NodeTools;
import dev.nitricws.it.support.ProcessLogs;
import dev.nitricws.proto.kvstore.v1.KvStoreGrpc;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysRequest;
import dev.nitricws.proto.kvstore.v1.Store;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketGrpc;
import dev.nitricws.runtime.WsClient;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official Nitric Node SDK (@nitric/sdk 1.2.2), unmodified, runs the seed's broadcast chat
 * against the standalone local runtime ({@code java -jar nitric-ws-local-runtime-*-all.jar}, a
 * process of its own on free ports), and real websocket clients chat through it. What the runtime
 * holds is read over gRPC as any Nitric client would (SocketDetails, KvStore ScanKeys); the
 * declarations and handler registrations, which no Nitric RPC reports, from the runtime's log.
 *
 * <p>Needs node and npm on the PATH (.ci/run installs them); without them the test fails and
 * names what is missing. {@code npm ci} runs when the app's node_modules is missing.
 */
class NodeSdkCompatibilityIT {

  private static final Path APP_DIR =
      Path.of(System.getProperty("nitric.it.nodeChatApp", "src/test/node/chat-app")).toAbsolutePath();
  private static final Path LOG_DIR = Path.of("target", "node-chat-app").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SOCKET = "chat";

  @RegisterExtension
  static final ProcessLogs LOGS = new ProcessLogs();

  private JavaProcess runtime;
  private Process node;
  private ManagedChannel channel;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void startRuntimeAndApp() throws Exception {
    NodeTools.requireTool("node", "NodeSdkCompatibilityIT", "node 20+ and npm");
    NodeTools.requireTool("npm", "NodeSdkCompatibilityIT", "node 20+ and npm");
    Files.createDirectories(LOG_DIR);
    NodeTools.npmCi(APP_DIR, "@nitric/sdk", LOG_DIR.resolve("npm-ci.log"));

    int[] ports = FreePorts.take(2);
    String serviceAddress = "127.0.0.1:" + ports[0];
    runtime = LOGS.track(JavaProcess.start("standalone runtime", Jars.runtime(),
        List.of("--grpc-port=" + ports[0], "--ws-port=" + ports[1]), Map.of(), LOG_DIR.resolve("runtime.log")));
    runtime.awaitOutput("Nitric local runtime ready: SERVICE_ADDRESS=" + serviceAddress, Duration.ofSeconds(60));
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", ports[0], InsecureChannelCredentials.create()).build();

    ProcessBuilder app = new ProcessBuilder("node", "index.js")
        .directory(APP_DIR.toFile())
        .redirectErrorStream(true)
        .redirectOutput(LOG_DIR.resolve("app.log").toFile());
    app.environment().put("SERVICE_ADDRESS", serviceAddress);
    app.environment().put("NITRIC_ENVIRONMENT", "run");
    node = app.start();

    await("the Node app declares its socket and store and registers its three handlers")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          if (!node.isAlive()) {
            fail("the Node app exited with %d:%n%s", node.exitValue(), appLog());
          }
          runtime.requireAlive();
          return socketUrl() != null
              && runtime.output().contains("Declared key-value store 'connections'")
              && handlerCount(WebsocketEventType.Connect) == 1
              && handlerCount(WebsocketEventType.Disconnect) == 1
              && handlerCount(WebsocketEventType.Message) == 1;
        });
    assertThat(socketUrl()).as("SocketDetails of the Node app's socket").isEqualTo("ws://127.0.0.1:" + ports[1]);
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(WsClient::close);
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
    int port = URI.create(socketUrl()).getPort();
    WsClient alice = connect(port);
    WsClient bob = connect(port);
    WsClient carol = connect(port);
    // the SDK app stored each connection id in its 'connections' store before accepting
    assertThat(storedConnections()).hasSize(3);

    alice.send("hello from alice");

    assertThat(alice.nextText()).isEqualTo("hello from alice");
    assertThat(bob.nextText()).isEqualTo("hello from alice");
    assertThat(carol.nextText()).isEqualTo("hello from alice");

    carol.close();
    await("the app's disconnect handler removes carol").atMost(WAIT).until(() -> storedConnections().size() == 2);
    bob.send("carol left");

    assertThat(alice.nextText()).isEqualTo("carol left");
    assertThat(bob.nextText()).isEqualTo("carol left");
    assertThat(carol.receivesWithin(Duration.ofMillis(300))).isFalse();
  }

  private WsClient connect(int port) {
    WsClient client = WsClient.open(port, "/");
    clients.add(client);
    return client;
  }

  /** The URL the runtime gives for the socket (SocketDetails), or null while it is not declared. */
  private String socketUrl() {
    try {
      return WebsocketGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
          .socketDetails(WebsocketDetailsRequest.newBuilder().setSocketName(SOCKET).build()).getUrl();
    } catch (StatusRuntimeException notYet) {
      return null;
    }
  }

  /**
   * How many streams the runtime holds for the socket and {@code type}, from the last of its log
   * lines "Handler registered for socket 'chat' event T (N stream(s) for this pair)" and "Handler
   * stream for socket 'chat' event T ended (N stream(s) left for this pair)".
   */
  private int handlerCount(WebsocketEventType type) {
    Pattern line = Pattern.compile("Handler (?:registered|stream) for socket '" + SOCKET + "' event " + type
        + "(?: ended)? \\((\\d+) stream\\(s\\)");
    Matcher m = line.matcher(runtime.output());
    int count = 0;
    while (m.find()) {
      count = Integer.parseInt(m.group(1));
    }
    return count;
  }

  private List<String> storedConnections() {
    List<String> keys = new ArrayList<>();
    KvStoreGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .scanKeys(KvStoreScanKeysRequest.newBuilder().setStore(Store.newBuilder().setName("connections")).build())
        .forEachRemaining(response -> keys.add(response.getKey()));
    return keys;
  }

  private String appLog() {
    try {
      return Files.readString(LOG_DIR.resolve("app.log"));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** A real websocket client that keeps the text messages it receives. */

}
