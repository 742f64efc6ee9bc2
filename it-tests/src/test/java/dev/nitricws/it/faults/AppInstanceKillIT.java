package dev.nitricws.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.bootstrap.GatewayScope;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.ScopedConnectionRegistry;
import dev.nitricws.it.support.JavaProcess;
import dev.nitricws.it.support.Jars;
import dev.nitricws.it.support.ProcessLogs;
import dev.nitricws.runtime.LocalRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One of two app instances is killed (SIGKILL) under a chatting crowd; the other serves every
 * connection. The local runtime runs in the test's JVM, the two apps ({@code java -jar
 * nitric-ws.jar --store=redis}) as processes of their own sharing a Redis of the test's own, as in
 * the scale-out tests. Clients are connected to the runtime, not to an app, so none is dropped;
 * events the killed instance had not answered are lost with it (a connect is refused, a Disconnect
 * or a message is not handled). Then a new client must connect and get its own message back
 * (recovery time: from the kill), and {@link LiveSetCheck} waits until the store holds exactly the
 * open clients and every one of them receives a broadcast the survivor reports delivered to all.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AppInstanceKillIT {

  @RegisterExtension
  static final ProcessLogs LOGS = new ProcessLogs();

  private static final Path LOG_DIR = Path.of("target", "faults").toAbsolutePath();
  private static final int CLIENTS = 24;
  private static final int STAYERS = 8;
  private static final Pattern CONNECTED = Pattern.compile("ChatHandler(?: \\[[^]]*])? - (\\S+) connected");

  private LocalRedis redis;
  private LocalRuntime runtime;
  private JavaProcess a;
  private JavaProcess b;
  private RedisConnectionRegistry registry;
  private Churn churn;

  @AfterEach
  void stopEverything() {
    if (churn != null) {
      churn.close();
    }
    for (JavaProcess app : new JavaProcess[] {a, b}) {
      if (app != null) {
        app.close();
      }
    }
    if (runtime != null) {
      runtime.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void theSurvivorServesEveryoneAndTheStoreHoldsExactlyTheOpenConnections() throws Exception {
    redis = LocalRedis.start();
    runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start();
    SocketName socket = SocketName.of("fault" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    a = LOGS.track(startApp("A", socket));
    b = LOGS.track(startApp("B", socket));
    Apps.awaitHandlers(runtime, socket, 2, Duration.ofSeconds(90), a, b);
    registry = RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(redis.url()));

    churn = Churn.start(runtime.websocketPort(socket.value()), CLIENTS, STAYERS);
    churn.awaitWarm(100, Duration.ofSeconds(60));
    assertThat(a.matches(CONNECTED)).as("connects A handled before the kill").isNotEmpty();

    long killed = System.nanoTime();
    a.kill();
    Apps.awaitHandlers(runtime, socket, 1, Duration.ofSeconds(15), b);

    // read the store as the apps scope it, by their gateway's URL
    LiveSetCheck check = new LiveSetCheck(churn,
        ScopedConnectionRegistry.of(registry, GatewayScope.of(runtime.websocketUrl(socket.value()))), socket,
        () -> runtime.connectionCount(socket.value()), List.of(a, b));
    churn.probe(Duration.ofSeconds(30), () -> check.compare().describe());
    long recovery = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    Thread.sleep(3_000);

    LiveSetCheck.Comparison settled = check.settle(Duration.ofSeconds(60));
    check.aBroadcastReachesExactlyTheOpenClients(settled);

    b.requireAlive();
    assertThat(b.count("starting nitric-ws")).as("B was started once and never again").isEqualTo(1);
    assertThat(churn.dropped()).as("clients dropped when A died (they are connected to the runtime)").isZero();
    check.report("AppInstanceKillIT", settled, "A killed; kill -> a new client chats through B", recovery);
  }

  private JavaProcess startApp(String name, SocketName socket) {
    return JavaProcess.start(name, Jars.app(),
        List.of("--service-address=" + runtime.serviceAddress(), "--socket=" + socket.value(), "--store=redis",
            "--redis-url=" + redis.url()),
        Map.of("NITRICWS_LOG_LEVEL", "DEBUG"), LOG_DIR.resolve("AppInstanceKillIT-" + name + ".log"));
  }
}
