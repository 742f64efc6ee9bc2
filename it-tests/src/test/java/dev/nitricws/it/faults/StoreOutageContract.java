package dev.nitricws.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.bootstrap.GatewayScope;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.ScopedConnectionRegistry;
import dev.nitricws.it.support.JavaProcess;
import dev.nitricws.it.support.Jars;
import dev.nitricws.it.support.ProcessLogs;
import dev.nitricws.runtime.LocalRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store's server crashes under a chatting crowd and comes back; the app recovers by itself.
 *
 * <p>The local runtime runs in the test's JVM, the app as a process of its own ({@code java -jar
 * nitric-ws.jar}) on a server of the test's own (a subclass starts it and names the app's flags).
 * A {@link Churn} of {@value #CLIENTS} clients connects, chats and leaves for the whole test. The
 * server is crashed, stays down for {@value #OUTAGE_SECONDS} s and is started again on the same
 * port; nobody touches the app. Then a new client must connect and get its own message back
 * (recovery time: from the server answering again), the churn goes on a little, stops, and {@link
 * LiveSetCheck} waits (60 s at most) until the store holds exactly the clients that are open.
 *
 * <p>The server keeps its data across the crash (see the subclasses): a store that loses it loses
 * the entries of connections that stay open, and nothing rebuilds them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
abstract class StoreOutageContract {

  @RegisterExtension
  static final ProcessLogs LOGS = new ProcessLogs();

  static final int CLIENTS = 24;
  static final int STAYERS = 8;
  static final long OUTAGE_SECONDS = 5;
  private static final Path LOG_DIR = Path.of("target", "faults").toAbsolutePath();

  private LocalRuntime runtime;
  private JavaProcess app;
  private ConnectionRegistry registry;
  private Churn churn;

  /** Starts the server of the test's own. */
  protected abstract void startServer();

  /** Crashes it: it stops at once, clients see their connections cut. */
  protected abstract void crashServer();

  /** Starts it again on the same port with the data it had. */
  protected abstract void startServerAgain();

  /** Stops it for good and removes its files. */
  protected abstract void closeServer();

  /** The flags that point the app at the server. */
  protected abstract List<String> storeFlags();

  /** A registry of the test's own on the same store, to read its entries. */
  protected abstract ConnectionRegistry openRegistry();

  /** What the server is, for messages: "Redis", "PostgreSQL". */
  protected abstract String serverName();

  /** Text the app's log holds once a store operation failed (the outage was met, not slept through). */
  protected abstract String storeFailureSign();

  @BeforeEach
  void startServerAndRuntime() {
    startServer();
    runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start();
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (churn != null) {
      churn.close();
    }
    if (app != null) {
      app.close();
    }
    if (runtime != null) {
      runtime.close();
    }
    if (registry instanceof AutoCloseable closeable) {
      closeable.close();
    }
    closeServer();
  }

  @Test
  final void theStoreHoldsExactlyTheOpenConnectionsOnceTheCrashedServerIsBack() throws Exception {
    SocketName socket = SocketName.of("fault" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    List<String> args = new ArrayList<>(List.of("--service-address=" + runtime.serviceAddress(),
        "--socket=" + socket.value()));
    args.addAll(storeFlags());
    app = LOGS.track(JavaProcess.start("app", Jars.app(), args, Map.of("NITRICWS_LOG_LEVEL", "DEBUG"),
        LOG_DIR.resolve(getClass().getSimpleName() + "-app.log")));
    Apps.awaitHandlers(runtime, socket, 1, Duration.ofSeconds(90), app);
    registry = openRegistry();

    churn = Churn.start(runtime.websocketPort(socket.value()), CLIENTS, STAYERS);
    churn.awaitWarm(100, Duration.ofSeconds(60));

    long down = System.nanoTime();
    crashServer();
    Thread.sleep(TimeUnit.SECONDS.toMillis(OUTAGE_SECONDS));
    startServerAgain();
    long back = System.nanoTime();
    app.requireAlive();

    // read the store as the app scopes it, by its gateway's URL
    LiveSetCheck check = new LiveSetCheck(churn,
        ScopedConnectionRegistry.of(registry, GatewayScope.of(runtime.websocketUrl(socket.value()))), socket,
        () -> runtime.connectionCount(socket.value()), List.of(app));
    churn.probe(Duration.ofSeconds(30), () -> check.compare().describe());
    long recovery = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
    Thread.sleep(3_000); // the churn goes on against the recovered store

    LiveSetCheck.Comparison settled = check.settle(Duration.ofSeconds(60));
    check.aBroadcastReachesExactlyTheOpenClients(settled);

    app.requireAlive();
    assertThat(app.count("starting nitric-ws")).as("the app was started once and never again").isEqualTo(1);
    assertThat(app.output()).as("the app's log shows store operations failing while %s was down", serverName())
        .contains(storeFailureSign());
    check.report(getClass().getSimpleName(), settled, String.format("%s down %d ms; back -> a new client chats",
        serverName(), TimeUnit.NANOSECONDS.toMillis(back - down)), recovery);
  }
}
