package dev.nitricws.it.scaleout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.bootstrap.GatewayScope;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketName;
import dev.nitricws.it.support.JavaProcess;
import dev.nitricws.it.support.Jars;
import dev.nitricws.it.support.ProcessLogs;
import dev.nitricws.ports.ScopedConnectionRegistry;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scaling out: two application processes (A and B, each {@code java -jar nitric-ws.jar}) serve one
 * socket of one local runtime and share one store. The runtime spreads each event type
 * round-robin over the two registered streams, so connects and messages alternate between A and
 * B. Which instance handled what is read from the apps' own debug lines (ChatHandler logs
 * "&lt;id&gt; connected" and "broadcast from &lt;id&gt;" with {@code NITRICWS_LOG_LEVEL=DEBUG}), and
 * which client is which connection from the store (each client connects with {@code ?name=},
 * which the chat keeps as an attribute). Each store runs the same tests by naming its flags and
 * a registry of its own on the same store.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
abstract class ScaleOutContract {

  @RegisterExtension
  static final ProcessLogs LOGS = new ProcessLogs();

  private static final Path LOG_DIR = Path.of("target", "scaleout").toAbsolutePath();
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Pattern CONNECTED = Pattern.compile("ChatHandler(?: \\[[^]]*])? - (\\S+) connected");
  private static final Pattern BROADCAST = Pattern.compile("ChatHandler(?: \\[[^]]*])? - broadcast from (\\S+): ");
  private static final String FULL_DELIVERY = "delivered=%d, gone=0, failed=0";
  private static final List<WebsocketEventType> TYPES =
      List.of(WebsocketEventType.Connect, WebsocketEventType.Disconnect, WebsocketEventType.Message);

  private final List<Client> clients = new ArrayList<>();
  private LocalRuntime runtime;
  private SocketName socket;
  private JavaProcess a;
  private JavaProcess b;
  /** The test's own view of the store, scoped as the instances scope it (one gateway: the runtime's). */
  private ConnectionRegistry registry;
  private ConnectionRegistry opened;
  private int port;

  /** The command-line flags that select and configure the store both instances share. */
  protected abstract List<String> storeFlags();

  /** A registry of the test's own on the store the instances share (closed after each test). */
  protected abstract ConnectionRegistry openRegistry();

  @BeforeEach
  void startRuntimeAndTwoInstances(TestInfo test) {
    runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start();
    // a socket of its own per test, so the shared store never carries one test's connections into another
    socket = SocketName.of("scale" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    String prefix = getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName();
    a = LOGS.track(startApp("A", prefix));
    b = LOGS.track(startApp("B", prefix));
    awaitHandlers(2, START, a, b);
    port = runtime.websocketPort(socket.value());
    opened = openRegistry();
    registry = ScopedConnectionRegistry.of(opened, GatewayScope.of(runtime.websocketUrl(socket.value())));
  }

  @AfterEach
  void stopEverything() throws Exception {
    clients.forEach(c -> c.ws().close());
    for (JavaProcess app : new JavaProcess[] {a, b}) {
      if (app != null) {
        app.close();
      }
    }
    if (runtime != null) {
      runtime.close();
    }
    if (opened instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  @Test
  final void clientsOfBothInstancesReceiveBroadcastsStartedOnEither() {
    List<Client> all = connect("c0", "c1", "c2", "c3");
    awaitStored(4);
    Map<String, String> nameById = storedNames();

    // connects alternate: each instance accepted two, and the store holds what both registered
    List<String> acceptedByA = awaitConnectLines(4).get(a);
    List<String> acceptedByB = b.matches(CONNECTED);
    assertThat(acceptedByA).as("connects handled by A").hasSize(2);
    assertThat(acceptedByB).as("connects handled by B").hasSize(2);
    assertThat(union(acceptedByA, acceptedByB)).as("the shared store holds the connections of A and of B")
        .containsExactlyInAnyOrderElementsOf(nameById.keySet());

    // one message from each client; messages alternate too, and every client gets every message
    chatRound(all, all, "round 1");

    List<String> broadcastByA = awaitBroadcastLines(4, a, b).get(a);
    List<String> broadcastByB = b.matches(BROADCAST);
    assertThat(broadcastByA).as("broadcasts started on A").hasSize(2);
    assertThat(broadcastByB).as("broadcasts started on B").hasSize(2);
    assertThat(union(broadcastByA, broadcastByB)).as("one broadcast per sender")
        .containsExactlyInAnyOrderElementsOf(nameById.keySet());
    assertThat(a.count(FULL_DELIVERY.formatted(4)) + b.count(FULL_DELIVERY.formatted(4)))
        .as("every broadcast reached all 4 connections, whichever instance registered them").isEqualTo(4);

    System.out.printf("[scale-out] %s: connects on A %s, on B %s; broadcasts on A from %s, on B from %s%n",
        getClass().getSimpleName(), names(acceptedByA, nameById), names(acceptedByB, nameById),
        names(broadcastByA, nameById), names(broadcastByB, nameById));
  }

  @Test
  final void whenOneInstanceStopsTheOtherServesEveryClient() throws Exception {
    List<Client> all = connect("c0", "c1", "c2", "c3");
    awaitStored(4);
    Map<String, String> nameById = storedNames();
    Set<String> acceptedByA = new HashSet<>(awaitConnectLines(4).get(a));
    List<Client> ofA = all.stream().filter(c -> acceptedByA.contains(idOf(c, nameById))).toList();
    assertThat(ofA).as("clients whose connects A handled").hasSize(2);
    chatRound(all, all, "before");

    long stopAsked = System.nanoTime();
    assertThat(a.stop(Duration.ofSeconds(10))).as("A stops within 10 s of SIGTERM").isTrue();
    long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAsked);
    assertThat(a.output()).as("A shut down through its shutdown hook").contains("stopping nitric-ws");
    awaitHandlers(1, WAIT, b);
    assertThat(all).as("no client lost its connection when A stopped")
        .allSatisfy(c -> assertThat(c.ws().closed()).isNotDone());

    // every client, A's included, still gets every message; now B starts every broadcast
    int broadcastsOnB = b.matches(BROADCAST).size();
    chatRound(all, all, "after A stopped");
    b.awaitOutput("starts the 4 broadcasts", WAIT,
        out -> BROADCAST.matcher(out).results().count() == broadcastsOnB + 4);
    assertThat(b.count(FULL_DELIVERY.formatted(4))).as("B's broadcasts that reached all 4").isGreaterThanOrEqualTo(4);

    // a new client joins (through B) and chats with everyone
    Client late = connect("late").get(0);
    awaitStored(5);
    String lateId = idOf(late, storedNames());
    assertThat(b.matches(CONNECTED)).as("B accepted the new client").contains(lateId);
    List<Client> five = new ArrayList<>(all);
    five.add(late);
    chatRound(List.of(late), five, "late");

    // a client A had accepted leaves: B handles its disconnect and the store forgets it
    Client leaving = ofA.get(0);
    String leavingId = idOf(leaving, nameById);
    leaving.ws().close();
    awaitStored(4);
    assertThat(registry.find(socket, ConnectionId.of(leavingId)).toCompletableFuture().join())
        .as("the connection of the client that left").isEmpty();
    List<Client> staying = five.stream().filter(c -> c != leaving).toList();
    chatRound(List.of(staying.get(0)), staying, "after the leave");
    assertThat(leaving.ws().receivesWithin(Duration.ofMillis(300))).as("the client that left receives nothing")
        .isFalse();

    System.out.printf("[scale-out] %s: A stopped in %d ms; B alone served %s (A had accepted %s)%n",
        getClass().getSimpleName(), stopMillis, five.stream().map(Client::name).toList(),
        ofA.stream().map(Client::name).toList());
  }

  // ------------------------------------------------------------------------------------- helpers

  /** A client and the name it connected with. */
  private record Client(String name, WsClient ws) {}

  private JavaProcess startApp(String name, String logPrefix) {
    List<String> args = new ArrayList<>(List.of("--service-address=" + runtime.serviceAddress(),
        "--socket=" + socket.value()));
    args.addAll(storeFlags());
    return JavaProcess.start(name, Jars.app(), args, Map.of("NITRICWS_LOG_LEVEL", "DEBUG"),
        LOG_DIR.resolve(logPrefix + "-" + name + ".log"));
  }

  private void awaitHandlers(int streams, Duration within, JavaProcess... alive) {
    await("each of connect, disconnect and message has " + streams + " registered stream(s)")
        .atMost(within)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          for (JavaProcess app : alive) {
            app.requireAlive();
          }
          return TYPES.stream().allMatch(type -> runtime.handlerCount(socket.value(), type) == streams);
        });
  }

  private List<Client> connect(String... names) {
    List<Client> opened = new ArrayList<>();
    for (String name : names) {
      // one at a time: each upgrade waits for its connect event, so connects alternate A/B in order
      Client client = new Client(name, WsClient.open(port, "/?name=" + name));
      clients.add(client);
      opened.add(client);
    }
    return opened;
  }

  /** Each sender in turn sends one message, and every receiver gets it before the next is sent. */
  private static void chatRound(List<Client> senders, List<Client> receivers, String tag) {
    for (Client sender : senders) {
      String text = tag + ": hello from " + sender.name();
      sender.ws().send(text);
      for (Client receiver : receivers) {
        assertThat(receiver.ws().nextText()).as("what %s receives after %s sent", receiver.name(), sender.name())
            .isEqualTo(text);
      }
    }
  }

  private void awaitStored(long n) {
    await("the shared store holds " + n + " connections of socket " + socket)
        .atMost(WAIT)
        .until(() -> registry.count(socket).toCompletableFuture().get(10, TimeUnit.SECONDS) == n);
  }

  /** Connection id -> the name the client connected with, read from the store. */
  private Map<String, String> storedNames() {
    List<ConnectionId> ids = new ArrayList<>();
    registry.scan(socket, 100, page -> {
      ids.addAll(page);
      return CompletableFuture.completedFuture(null);
    }).toCompletableFuture().join();
    Map<String, String> names = new ConcurrentHashMap<>();
    for (ConnectionId id : ids) {
      Connection connection = registry.find(socket, id).toCompletableFuture().join()
          .orElseThrow(() -> new AssertionError("connection " + id + " was scanned but is not found"));
      names.put(id.value(), connection.attributes().getOrDefault("name", "(no name)"));
    }
    return names;
  }

  private static String idOf(Client client, Map<String, String> nameById) {
    return nameById.entrySet().stream().filter(e -> e.getValue().equals(client.name())).map(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new AssertionError("no stored connection is named " + client.name()
            + ": " + nameById));
  }

  /** Waits until A and B have logged {@code total} connects between them; A's and B's connected ids. */
  private Map<JavaProcess, List<String>> awaitConnectLines(int total) {
    return awaitLines(CONNECTED, total, "connects", a, b);
  }

  private static Map<JavaProcess, List<String>> awaitBroadcastLines(int total, JavaProcess... apps) {
    return awaitLines(BROADCAST, total, "broadcasts", apps);
  }

  private static Map<JavaProcess, List<String>> awaitLines(Pattern pattern, int total, String what,
      JavaProcess... apps) {
    await("the instances log " + total + " " + what + " between them").atMost(WAIT).until(() -> {
      int sum = 0;
      for (JavaProcess app : apps) {
        sum += app.matches(pattern).size();
      }
      return sum == total;
    });
    Map<JavaProcess, List<String>> lines = new LinkedHashMap<>();
    for (JavaProcess app : apps) {
      lines.put(app, app.matches(pattern));
    }
    return lines;
  }

  private static List<String> union(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  private static List<String> names(List<String> ids, Map<String, String> nameById) {
    return ids.stream().map(id -> nameById.getOrDefault(id, id)).toList();
  }
}
