package dev.nitricws.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.bootstrap.GatewayScope;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.ScopedConnectionRegistry;
import dev.nitricws.it.support.FreePorts;
import dev.nitricws.it.support.JavaProcess;
import dev.nitricws.it.support.Jars;
import dev.nitricws.it.support.ProcessLogs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The local runtime, gateway included, goes away under a chatting crowd and comes back; the app
 * recovers by itself. The standalone runtime ({@code java -jar nitric-ws-local-runtime-*-all.jar})
 * and the app ({@code java -jar nitric-ws.jar --store=redis}, on a Redis of the test's own) run as
 * processes of their own, as in {@code RuntimeRestartIT}. A {@link Churn} chats, joins and leaves;
 * the runtime is stopped (SIGTERM: it closes its clients, each a Disconnect for the app; SIGKILL:
 * it vanishes and the app hears of no Disconnect), stays down {@value #DOWN_SECONDS} s and is
 * started again on the same ports. Every client is dropped with it and joins again. Then a new
 * client must connect and get its own message back (recovery time: from the runtime being ready
 * again), and {@link LiveSetCheck} waits until the store holds exactly the clients that are open
 * (by name and by a broadcast; the runtime is a process here, so its count is not compared).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RuntimeCrashIT {

  @RegisterExtension
  static final ProcessLogs LOGS = new ProcessLogs();

  private static final Path LOG_DIR = Path.of("target", "faults").toAbsolutePath();
  private static final int CLIENTS = 24;
  private static final int STAYERS = 8;
  private static final long DOWN_SECONDS = 3;
  private static final Duration START = Duration.ofSeconds(90);

  /** How the runtime goes away. */
  enum Stop {
    SIGTERM,
    SIGKILL
  }

  private final List<JavaProcess> processes = new ArrayList<>();
  private LocalRedis redis;
  private RedisConnectionRegistry registry;
  private Churn churn;

  @AfterEach
  void stopEverything() {
    if (churn != null) {
      churn.close();
    }
    // the app first, so it does not retry against a runtime that stops under it
    processes.stream().filter(p -> p.name().equals("app")).forEach(JavaProcess::close);
    processes.forEach(JavaProcess::close);
    if (registry != null) {
      registry.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @ParameterizedTest(name = "runtime stopped with {0}")
  @EnumSource(Stop.class)
  void theStoreHoldsExactlyTheOpenConnectionsOnceTheRuntimeIsBack(Stop stop) throws Exception {
    redis = LocalRedis.start();
    int[] ports = FreePorts.take(2);
    String address = "127.0.0.1:" + ports[0];
    SocketName socket = SocketName.of("fault" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    JavaProcess first = startRuntime(stop, 1, ports);
    JavaProcess app = track(JavaProcess.start("app", Jars.app(),
        List.of("--service-address=" + address, "--socket=" + socket.value(), "--store=redis",
            "--redis-url=" + redis.url()),
        Map.of("NITRICWS_LOG_LEVEL", "DEBUG"), LOG_DIR.resolve("RuntimeCrashIT-" + stop + "-app.log")));
    app.awaitOutput("all 3 handler streams are registered", START);
    registry = RedisConnectionRegistry.connect(RedisRegistryConfig.standalone(redis.url()));

    churn = Churn.start(ports[1], CLIENTS, STAYERS);
    churn.awaitWarm(100, Duration.ofSeconds(60));

    long down = System.nanoTime();
    if (stop == Stop.SIGTERM) {
      assertThat(first.stop(Duration.ofSeconds(10))).as("the runtime stops within 10 s of SIGTERM").isTrue();
    } else {
      first.kill();
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(DOWN_SECONDS));
    startRuntime(stop, 2, ports);
    long back = System.nanoTime();

    // read the store as the app scopes it, by its gateway's URL
    LiveSetCheck check = new LiveSetCheck(churn,
        ScopedConnectionRegistry.of(registry, GatewayScope.of("ws://127.0.0.1:" + ports[1])), socket, null, List.of(app));
    churn.probe(Duration.ofSeconds(30), () -> check.compare().describe());
    long recovery = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
    Thread.sleep(3_000);

    LiveSetCheck.Comparison settled = check.settle(Duration.ofSeconds(60));
    check.aBroadcastReachesExactlyTheOpenClients(settled);

    app.requireAlive();
    assertThat(app.count("starting nitric-ws")).as("the app was started once and never again").isEqualTo(1);
    assertThat(churn.dropped()).as("clients dropped with the runtime").isGreaterThanOrEqualTo(STAYERS);
    check.report("RuntimeCrashIT[" + stop + "]", settled, String.format(
        "runtime down %d ms; ready again -> a new client chats", TimeUnit.NANOSECONDS.toMillis(back - down)), recovery);
  }

  private JavaProcess startRuntime(Stop stop, int run, int[] ports) {
    JavaProcess runtime = track(JavaProcess.start("runtime-" + run, Jars.runtime(),
        List.of("--grpc-port=" + ports[0], "--ws-port=" + ports[1]), Map.of(),
        LOG_DIR.resolve("RuntimeCrashIT-" + stop + "-runtime-" + run + ".log")));
    runtime.awaitOutput("Nitric local runtime ready: SERVICE_ADDRESS=127.0.0.1:" + ports[0], START);
    return runtime;
  }

  private JavaProcess track(JavaProcess process) {
    processes.add(process);
    return LOGS.track(process);
  }
}
