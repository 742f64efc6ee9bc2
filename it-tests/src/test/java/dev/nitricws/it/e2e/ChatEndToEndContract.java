package dev.nitricws.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import dev.nitricws.bootstrap.ChatModule;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.bootstrap.NitricWsMain;
import dev.nitricws.bootstrap.NitricWsServer;
import dev.nitricws.ports.ConnectContext;
import dev.nitricws.ports.MessageContext;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.Websocket;
import dev.nitricws.runtime.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed's chat end to end with real websocket clients: client -> local runtime gateway ->
 * gRPC -> the app as the main wires it -> the store -> back out. Each store runs the same tests
 * by naming its flags.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class ChatEndToEndContract {

  private final List<WsClient> clients = new ArrayList<>();
  private NitricWsServer server;

  /** The command-line flags that select and configure the store under test. */
  protected abstract List<String> storeFlags();

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    if (server != null) {
      server.close();
    }
  }

  @Test
  final void threeClientsConnectOneSendsAllThreeReceive() {
    start(new ChatModule());
    WsClient a = connect("/");
    WsClient b = connect("/?name=bee");
    WsClient c = connect("/");
    awaitConnections(3);

    a.send("hello from a");

    assertThat(a.nextText()).isEqualTo("hello from a");
    assertThat(b.nextText()).isEqualTo("hello from a");
    assertThat(c.nextText()).isEqualTo("hello from a");
  }

  @Test
  final void queryValuesReachTheHandlerAsTheOfficialNodeSdkGivesThem() {
    List<QueryParameters> seen = new CopyOnWriteArrayList<>();
    start(new AbstractModule() {
      @Override
      protected void configure() {
        bind(SocketHandler.class).toInstance(SocketHandler.builder().onConnect(c -> seen.add(c.query())).build());
      }
    });

    connect("/?name=J%C3%BCrgen&x=a%20b&x=c&p=100%2541&plus=a+b");

    await().atMost(Duration.ofSeconds(15)).until(() -> seen.size() == 1);
    QueryParameters query = seen.get(0);
    // what decodeURIComponent in the Node SDK makes of the values the runtime hands over
    assertThat(query.all("name")).containsExactly("Jürgen");
    assertThat(query.all("x")).containsExactly("a b", "c");
    assertThat(query.all("p")).containsExactly("100A");
    assertThat(query.all("plus")).containsExactly("a b");
  }

  @Test
  final void theSocketsUrlIsTheGatewaysAddressAsTheRuntimeReportsIt() {
    start(new ChatModule());

    String url = chat().url().toCompletableFuture().join();

    assertThat(url).startsWith("ws://").endsWith(":" + port());
    connect(java.net.URI.create(url).getPort(), "/");
    awaitConnections(1);
  }

  @Test
  final void oneSendersMessagesReachEveryoneInTheOrderSent() {
    start(new ChatModule());
    WsClient sender = connect("/");
    WsClient receiver = connect("/");
    awaitConnections(2);

    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sent.add("message " + i);
      sender.send("message " + i);
    }

    List<String> received = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      received.add(receiver.nextText());
    }
    assertThat(received).containsExactlyElementsOf(sent);
  }

  @Test
  final void aClientThatLeavesIsUnregisteredAndMissesTheNextBroadcast() {
    start(new ChatModule());
    WsClient a = connect("/");
    WsClient b = connect("/");
    WsClient leaving = connect("/");
    awaitConnections(3);

    leaving.close();
    awaitConnections(2);
    a.send("after the leave");

    assertThat(a.nextText()).isEqualTo("after the leave");
    assertThat(b.nextText()).isEqualTo("after the leave");
    assertThat(leaving.receivesWithin(Duration.ofMillis(300))).isFalse();
  }

  @Test
  final void aConnectTheAppRejectsIsRefusedAtTheUpgradeWithItsStatusAndReason() {
    start(new TestChatModule());
    connect("/?user=ok");
    awaitConnections(1);

    assertThat(WsClient.refusal(port(), "/?reject=please"))
        .isEqualTo(new WsClient.Refusal(403, "the client asked to be rejected"));
    assertThat(WsClient.refusal(port(), "/?reject=please&status=429"))
        .isEqualTo(new WsClient.Refusal(429, "the client asked to be rejected"));
    assertThat(WsClient.refusal(port(), "/?fail=please")).isEqualTo(new WsClient.Refusal(500, "Connection Refused"));
    assertThat(chat().connectionCount().toCompletableFuture().join()).isEqualTo(1L);
  }

  @Test
  final void theAppClosesAConnectionFromTheServerSide() throws Exception {
    start(new TestChatModule());
    WsClient staying = connect("/");
    WsClient closing = connect("/");
    awaitConnections(2);

    closing.send("close-me");

    assertThat(closing.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    awaitConnections(1);
    staying.send("still here");
    assertThat(staying.nextText()).isEqualTo("still here");
  }

  @Test
  final void binaryAndNonAsciiTextRoundTrip() {
    start(new ChatModule());
    WsClient a = connect("/");
    WsClient b = connect("/");
    awaitConnections(2);

    String unicode = "héllo 🙂 ключ 日本語 \"quoted\" \\ {json: [1]}";
    a.send(unicode);
    assertThat(b.nextText()).isEqualTo(unicode);
    assertThat(a.nextText()).isEqualTo(unicode);

    byte[] binary = {0, 1, 2, (byte) 0xff, (byte) 0xfe, (byte) 0x80, 127};
    b.send(binary);
    assertThat(a.next(Duration.ofSeconds(10))).isEqualTo(binary);
    assertThat(b.next(Duration.ofSeconds(10))).isEqualTo(binary);
  }

  @Test
  final void codeOutsideAHandlerCanBroadcastAndSend() {
    start(new ChatModule());
    WsClient a = connect("/");
    WsClient b = connect("/");
    awaitConnections(2);

    var report = chat().broadcast("from a scheduled job").toCompletableFuture().join();

    assertThat(report.delivered()).isEqualTo(2);
    assertThat(a.nextText()).isEqualTo("from a scheduled job");
    assertThat(b.nextText()).isEqualTo("from a scheduled job");
  }

  private void start(AbstractModule handlerModule) {
    List<String> args = new ArrayList<>(storeFlags());
    // a socket of its own per test, so a shared store never carries one test's connections into another
    args.add("--socket=chat" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    args.add("--ws-port=0");
    args.add("--grpc-port=0");
    server = NitricWsServer.start(NitricWsMain.parse(args.toArray(String[]::new)), handlerModule);
  }

  private int port() {
    return server.websocketPort();
  }

  private Websocket chat() {
    return server.app().websocket(server.settings().socket());
  }

  private WsClient connect(String pathAndQuery) {
    return connect(port(), pathAndQuery);
  }

  private WsClient connect(int port, String pathAndQuery) {
    WsClient client = WsClient.open(port, pathAndQuery);
    clients.add(client);
    return client;
  }

  private void awaitConnections(long n) {
    await().atMost(Duration.ofSeconds(15)).until(() -> chat().connectionCount().toCompletableFuture().join() == n);
  }

  /** The chat plus what the tests need: refuse or fail a connect that asks for it, close on request. */
  static final class TestChatModule extends AbstractModule {
    @Override
    protected void configure() {
      bind(SocketHandler.class).toInstance(new SocketHandler() {
        @Override
        public void onConnect(ConnectContext context) {
          if (context.query().first("fail").isPresent()) {
            throw new IllegalStateException("the client asked the handler to fail");
          }
          if (context.query().first("reject").isPresent()) {
            context.query().first("status").map(Integer::parseInt).ifPresentOrElse(
                status -> context.reject(status, "the client asked to be rejected"),
                () -> context.reject("the client asked to be rejected"));
          }
        }

        @Override
        public void onMessage(MessageContext context) {
          if ("close-me".equals(new String(context.bytes(), StandardCharsets.UTF_8))) {
            context.socket().close(context.connectionId());
          } else {
            context.socket().broadcast(context.bytes());
          }
        }
      });
    }
  }
}
