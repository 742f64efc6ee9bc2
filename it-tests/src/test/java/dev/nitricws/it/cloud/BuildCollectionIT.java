package dev.nitricws.it.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.it.cloud.NitricCollector.Refusal;
import dev.nitricws.it.cloud.NitricCollector.Registration;
import dev.nitricws.it.support.JavaProcess;
import dev.nitricws.it.support.Jars;
import dev.nitricws.it.support.ProcessLogs;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The app's jar under {@code nitric up} / {@code nitric build}: run with NITRIC_ENVIRONMENT=build
 * against a stand-in of the CLI's collector, it declares its resources, opens each handler stream
 * once, touches no store, and exits 0 within 15 s; a refusal or a name the CLI would reject ends it
 * with one line on stderr. Prints what each run declared, the streams, the exit status and the time.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BuildCollectionIT {

  /** The name the CLI gives the service that nitric.yaml matches (bootstrap/target/nitric-ws.jar). */
  static final String SERVICE = "nitric-ws_bootstrap-target-nitric-ws";
  static final Duration EXIT_WITHIN = Duration.ofSeconds(15);

  private static final Path LOG_DIR = Path.of("target", "build-collection").toAbsolutePath();

  @RegisterExtension
  static final ProcessLogs LOGS = new ProcessLogs();

  /** The stores; only the Nitric one is a resource the CLI deploys. */
  enum Store {
    NITRIC(true, "--store=nitric"),
    // nothing listens on port 1: a build that connected to the store would fail
    REDIS(false, "--store=redis", "--redis-url=redis://127.0.0.1:1"),
    POSTGRES(false, "--store=postgres", "--postgres-url=jdbc:postgresql://127.0.0.1:1/x");

    final boolean declaresKeyValueStore;
    final List<String> args;

    Store(boolean declaresKeyValueStore, String... args) {
      this.declaresKeyValueStore = declaresKeyValueStore;
      this.args = List.of(args);
    }
  }

  private NitricCollector collector;

  @AfterEach
  void stopCollector() {
    if (collector != null) {
      collector.close();
    }
  }

  @ParameterizedTest(name = "--store={0}")
  @EnumSource(Store.class)
  void theAppDeclaresRegistersEachHandlerOnceAndExits(Store store) {
    collector = NitricCollector.start(SERVICE, Refusal.NOTHING);

    Outcome outcome = collect("store-" + store.name().toLowerCase(Locale.ROOT), store.args);

    assertCollected(collector, outcome.exited(), outcome.exitCode(), "chat", store.declaresKeyValueStore);
  }

  @ParameterizedTest(name = "refused: {0}")
  @EnumSource(value = Refusal.class, names = {"DECLARE", "REGISTRATION"})
  void aRefusalOfTheCollectorEndsTheAppWithOneLineNamingIt(Refusal refusal) {
    collector = NitricCollector.start(SERVICE, refusal);
    String description = refusal == Refusal.DECLARE ? NitricCollector.DECLARE_REFUSED : NitricCollector.REGISTRATION_REFUSED;

    Outcome outcome = collect("refused-" + refusal.name().toLowerCase(Locale.ROOT), List.of("--store=nitric"));

    assertThat(outcome.exited()).as("the app exits within %s once the collector refuses it; %s", EXIT_WITHIN,
        collector.summary()).isTrue();
    assertThat(outcome.exitCode()).as("its exit status").isNotZero();
    assertThat(collector.refusals()).as("the collector refused something").isNotEmpty();
    assertThat(outcome.process().errors().lines().filter(line -> line.contains(description)))
        .as("one line on stderr names the refusal ('%s'); stderr was:%n%s", description, outcome.process().errors())
        .hasSize(1);
    assertThat(outcome.process().errors()).as("no stack trace on stderr").doesNotContain("\tat ");
  }

  @Test
  void aSocketNameThatBreaksTheCliNamingRuleFailsAtStartUp() {
    collector = NitricCollector.start(SERVICE, Refusal.NOTHING);

    Outcome outcome = collect("socket-Chat_Room", List.of("--store=nitric", "--socket=Chat_Room"));

    assertThat(outcome.exited()).as("the app exits at once; %s", collector.summary()).isTrue();
    assertThat(outcome.exitCode()).as("the exit status of a bad flag").isEqualTo(2);
    assertThat(outcome.process().errors().lines()
            .filter(line -> line.contains(NitricCollector.RESOURCE_NAME.pattern()) && line.contains("try 'chat-room'")))
        .as("one line on stderr names the rule %s and suggests 'chat-room'; stderr was:%n%s",
            NitricCollector.RESOURCE_NAME.pattern(), outcome.process().errors())
        .hasSize(1);
    assertThat(collector.declarations()).as("nothing reached the collector").isEmpty();
  }

  /**
   * The assertions shared with {@link ImageBuildIT}: exit 0, the socket (and store) with their
   * policies declared, three handler streams registered once each, no error, no store touched.
   */
  static void assertCollected(NitricCollector collector, boolean exited, int exitCode, String socket,
      boolean keyValueStore) {
    String summary = collector.summary();
    assertThat(exited).as("the app exits within %s of its start; %s", EXIT_WITHIN, summary).isTrue();
    assertThat(exitCode).as("its exit status; %s", summary).isZero();
    assertThat(collector.declarations()).map(Object::toString).as("the declarations")
        .containsExactlyInAnyOrderElementsOf(expectedDeclarations(socket, keyValueStore));
    assertThat(collector.streamsOpened()).as("HandleEvents streams opened; %s", summary).isEqualTo(3);
    assertThat(collector.registrations()).as("the registrations").containsExactlyInAnyOrder(
        new Registration(socket, WebsocketEventType.Connect),
        new Registration(socket, WebsocketEventType.Disconnect),
        new Registration(socket, WebsocketEventType.Message));
    assertThat(collector.errors()).as("errors the CLI would fail the build with").isEmpty();
    assertThat(collector.storeCalls()).as("KvStore calls; %s", summary).isZero();
  }

  /** What the app declares, as {@link NitricCollector.Declaration#toString()} shows it. */
  static List<String> expectedDeclarations(String socket, boolean keyValueStore) {
    List<String> expected = new ArrayList<>(List.of(
        "Websocket " + socket,
        "Policy [WebsocketManage] on Websocket " + socket + " for Service " + SERVICE));
    if (keyValueStore) {
      expected.add("KeyValueStore connections");
      expected.add("Policy [KeyValueStoreRead, KeyValueStoreWrite, KeyValueStoreDelete] on KeyValueStore connections"
          + " for Service " + SERVICE);
    }
    return expected;
  }

  /** Runs the app's jar under the collector, waits up to 15 s for its exit, and prints what happened. */
  private Outcome collect(String label, List<String> args) {
    long started = System.nanoTime();
    JavaProcess app = LOGS.track(JavaProcess.start("app (" + label + ")", Jars.app(), args,
        Map.of("NITRIC_ENVIRONMENT", "build", "SERVICE_ADDRESS", collector.address()),
        LOG_DIR.resolve(label + ".log"), LOG_DIR.resolve(label + ".err")));
    boolean exited = app.waitFor(EXIT_WITHIN);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    if (!exited) {
      app.kill();
    }
    int exitCode = app.exitValue();
    System.out.printf("[build-collection] %s %s: %s; %s%n", label, args,
        exited ? "exit " + exitCode + " after " + millis + " ms" : "no exit within " + millis + " ms (killed)",
        collector.summary());
    return new Outcome(app, exited, exitCode, millis);
  }

  /** How a run ended. */
  private record Outcome(JavaProcess process, boolean exited, int exitCode, long millis) {}
}
