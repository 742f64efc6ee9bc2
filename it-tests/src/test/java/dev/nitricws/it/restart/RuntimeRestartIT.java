package dev.nitricws.it.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.adapters.nitric.events.NitricEventSource;
import dev.nitricws.it.support.FreePorts;
import dev.nitricws.it.support.Jars;
import dev.nitricws.it.support.JavaProcess;
import dev.nitricws.it.support.ProcessLogs;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsRequest;
import dev.nitricws.proto.websockets.v1.WebsocketGrpc;
import dev.nitricws.runtime.WsClient;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The application survives its Nitric runtime stopping and starting again under it: the standalone
 * local runtime ({@code java -jar nitric-ws-local-runtime-*-all.jar}) and the app ({@code java -jar
 * nitric-ws.jar --service-address=...}) run as processes of their own; the runtime is stopped
 * (SIGTERM: a graceful shutdown; SIGKILL: a crash) while the app keeps running, then started again
 * on the same ports, and new clients chat through the app without anyone restarting it.
 *
 * <p>Prints, and appends to {@code target/runtime-restart/timings.txt}, how long each step took.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RuntimeRestartIT {

  @RegisterExtension
  static final ProcessLogs LOGS = new ProcessLogs();

  private static final Path LOG_DIR = Path.of("target", "runtime-restart").toAbsolutePath();
  private static final String SOCKET = "chat";
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern NEXT_TRY = Pattern.compile("next try in (\\d+) ms");
  private static final Pattern RE_REGISTERED =
      Pattern.compile("re-registered with the Nitric runtime at \\S+ after (\\d+) ms");
  private static final Pattern REPORT =
      Pattern.compile("ChatHandler(?: \\[[^]]*])? - broadcast from \\S+: (BroadcastReport\\[[^]]*])");

  /** How the runtime is stopped. */
  enum Stop {
    /** SIGTERM: the runtime closes its clients (each a Disconnect event) and ends the streams. */
    SIGTERM,
    /** SIGKILL: the runtime vanishes; the app gets no Disconnect for the clients it had. */
    SIGKILL
  }

  @TempDir
  Path kvDir;

  private final List<WsClient> clients = new ArrayList<>();
  private final List<JavaProcess> processes = new ArrayList<>();
  private ManagedChannel channel;

  @AfterEach
  void stopEverything() throws InterruptedException {
    clients.forEach(WsClient::close);
    // the app first, so it does not start retrying against a runtime that stops under it
    processes.stream().filter(p -> p.name().equals("app")).forEach(JavaProcess::close);
    processes.forEach(JavaProcess::close);
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "runtime stopped with {0}")
  @EnumSource(Stop.class)
  void theAppSurvivesItsRuntimeStoppingAndStartingAgain(Stop stop) throws Exception {
    int[] ports = FreePorts.take(2);
    int grpcPort = ports[0];
    int wsPort = ports[1];
    String address = "127.0.0.1:" + grpcPort;
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", grpcPort, InsecureChannelCredentials.create()).build();

    JavaProcess firstRuntime = startRuntime(stop, 1, grpcPort, wsPort);
    JavaProcess app = track(JavaProcess.start("app", Jars.app(),
        List.of("--service-address=" + address, "--store=memory", "--socket=" + SOCKET),
        Map.of("NITRICWS_LOG_LEVEL", "DEBUG"), LOG_DIR.resolve(stop + "-app.log")));
    app.awaitOutput("all 3 handler streams are registered", START);
    assertThat(awaitSocketUrl(app, "the runtime serves the app's socket")).isEqualTo("ws://127.0.0.1:" + wsPort);

    WsClient x = open(wsPort);
    WsClient y = open(wsPort);
    chat(x, List.of(x, y), "before the runtime stops");

    // stop the runtime under the app
    long stopAsked = System.nanoTime();
    if (stop == Stop.SIGTERM) {
      assertThat(firstRuntime.stop(Duration.ofSeconds(10))).as("the runtime stops within 10 s of SIGTERM").isTrue();
    } else {
      firstRuntime.kill();
    }
    long runtimeGone = System.nanoTime();
    assertThat(x.closed()).as("x's connection ends with the runtime").succeedsWithin(WAIT);
    assertThat(y.closed()).as("y's connection ends with the runtime").succeedsWithin(WAIT);

    app.awaitOutput("lost the Nitric runtime at " + address, WAIT);
    long warned = System.nanoTime();
    assertThat(app.output()).as("the outage is logged once at WARN")
        .containsOnlyOnce("WARN  d.n.a.n.e.NitricEventSource - lost the Nitric runtime at " + address);
    // let it retry until its backoff has grown (the 5th or later try of a stream), as a runtime
    // that stays away for a few seconds makes it
    app.awaitOutput("retries with a grown backoff", WAIT,
        out -> NEXT_TRY.matcher(out).results().anyMatch(m -> Integer.parseInt(m.group(1)) >= 1_000));
    app.requireAlive();
    int retriesLogged = app.matches(NEXT_TRY).size();

    // start it again on the same ports and the same key-value directory
    long restartAsked = System.nanoTime();
    startRuntime(stop, 2, grpcPort, wsPort);
    long runtimeReady = System.nanoTime();
    app.awaitOutput("re-registered with the Nitric runtime at " + address, WAIT);
    long reRegistered = System.nanoTime();
    app.requireAlive();
    String url = awaitSocketUrl(app, "the restarted runtime serves socket '" + SOCKET
        + "' again (SocketDetails answers) now that the app has re-registered its handlers");
    long socketServed = System.nanoTime();
    assertThat(url).as("the socket is back on its port").isEqualTo("ws://127.0.0.1:" + wsPort);

    WsClient p = open(wsPort);
    WsClient q = open(wsPort);
    long connected = System.nanoTime();
    chat(p, List.of(p, q), "after the restart");
    long firstChat = System.nanoTime();
    chat(q, List.of(p, q), "and again");
    app.requireAlive();

    // the chat logs each broadcast's report once the broadcast is done, a moment after delivery
    app.awaitOutput("reports its 3 broadcasts", WAIT, out -> REPORT.matcher(out).results().count() >= 3);
    List<String> reports = app.matches(REPORT);
    assertThat(reports).as("broadcast reports: before, first and second after the restart").hasSize(3);
    if (stop == Stop.SIGTERM) {
      // a graceful stop sends a Disconnect for x and y, but one may be lost as the app's streams end;
      // such an entry is found gone, and pruned once past the connect grace (30 s after its connect)
      assertThat(reports.get(2)).as("the second broadcast after the restart reaches the two new clients")
          .matches("BroadcastReport\\[delivered=2, gone=[012], failed=0]");
    } else {
      // no Disconnect came for x and y: broadcasts find them gone, and prune them once they are past
      // the connect grace (30 s after their connect), so the second may still find them
      assertThat(reports.get(1)).as("the first broadcast after a crash finds the two dead connections gone")
          .isEqualTo("BroadcastReport[delivered=2, gone=2, failed=0]");
      assertThat(reports.get(2)).as("the second broadcast after a crash reaches the two new clients")
          .matches("BroadcastReport\\[delivered=2, gone=[02], failed=0]");
    }

    Matcher retried = RE_REGISTERED.matcher(app.output());
    String appSays = retried.find() ? retried.group(1) + " ms of retries" : "(no figure)";
    String timings = String.format(
        "%s %s: runtime gone %d ms after the stop was asked; app warned %d ms after that and logged %d retries"
            + " while it was down (%d ms down in all); restarted runtime ready %d ms after its start;"
            + " app re-registered %d ms after the runtime was ready (app: re-registered after %s);"
            + " socket served again %d ms after the runtime was ready; 2 new clients connected %d ms and"
            + " chatting %d ms after the runtime was ready; %d ms from the stop to the first message through"
            + " the restarted runtime; broadcast reports %s",
        Instant.now(), stop, millis(stopAsked, runtimeGone), millis(runtimeGone, warned), retriesLogged,
        millis(runtimeGone, runtimeReady), millis(restartAsked, runtimeReady), millis(runtimeReady, reRegistered),
        appSays, millis(runtimeReady, socketServed), millis(runtimeReady, connected), millis(runtimeReady, firstChat),
        millis(stopAsked, firstChat), reports);
    System.out.println("[runtime-restart] " + timings);
    record(timings);
  }

  private JavaProcess startRuntime(Stop stop, int run, int grpcPort, int wsPort) {
    JavaProcess runtime = track(JavaProcess.start("runtime-" + run, Jars.runtime(),
        List.of("--grpc-port=" + grpcPort, "--ws-port=" + wsPort, "--kv-dir=" + kvDir), Map.of(),
        LOG_DIR.resolve(stop + "-runtime-" + run + ".log")));
    runtime.awaitOutput("Nitric local runtime ready: SERVICE_ADDRESS=127.0.0.1:" + grpcPort, START);
    return runtime;
  }

  private JavaProcess track(JavaProcess process) {
    processes.add(process);
    return LOGS.track(process);
  }

  /** Waits until the runtime answers SocketDetails for the socket (it is declared and its port open). */
  private String awaitSocketUrl(JavaProcess app, String what) {
    String[] url = new String[1];
    await(what).atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreException(StatusRuntimeException.class)
        .until(() -> {
          app.requireAlive();
          url[0] = WebsocketGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
              .socketDetails(WebsocketDetailsRequest.newBuilder().setSocketName(SOCKET).build()).getUrl();
          return true;
        });
    return url[0];
  }

  private WsClient open(int port) {
    WsClient client = WsClient.open(port, "/");
    clients.add(client);
    return client;
  }

  private static void chat(WsClient sender, List<WsClient> receivers, String text) {
    sender.send(text);
    for (WsClient receiver : receivers) {
      assertThat(receiver.nextText()).isEqualTo(text);
    }
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }

  private static void record(String line) throws IOException {
    Files.createDirectories(LOG_DIR);
    Files.writeString(LOG_DIR.resolve("timings.txt"), line + System.lineSeparator(), StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
