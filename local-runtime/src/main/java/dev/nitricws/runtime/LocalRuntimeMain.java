package dev.nitricws.runtime;

import static dev.nitricws.runtime.Flag.address;
import static dev.nitricws.runtime.Flag.count;
import static dev.nitricws.runtime.Flag.duration;
import static dev.nitricws.runtime.Flag.file;
import static dev.nitricws.runtime.Flag.flag;
import static dev.nitricws.runtime.Flag.list;
import static dev.nitricws.runtime.Flag.port;
import static dev.nitricws.runtime.Flag.size;
import static dev.nitricws.runtime.Flag.text;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Runs the local Nitric runtime on its own until the process is stopped (Ctrl-C / SIGTERM). */
@Command(
    name = "nitric-ws-local-runtime",
    versionProvider = LocalRuntimeMain.Version.class,
    modelTransformer = LocalRuntimeMain.Options.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "A Nitric-compatible runtime for one machine: the gRPC services a Nitric v1 app needs "
            + "(Resources, Websocket, WebsocketHandler, KvStore) and a websocket gateway.",
        "Start it, then run any Nitric app with SERVICE_ADDRESS=127.0.0.1:<grpc-port>.",
        ""})
public final class LocalRuntimeMain implements Callable<Integer> {

  /** The environment variable with the gRPC token, read by the app's side too. */
  static final String TOKEN_VARIABLE = "NITRICWS_RUNTIME_TOKEN";

  /** Where the token is looked up when --grpc-token is not given. */
  Map<String, String> environment = System.getenv();

  /**
   * The options, in the order --help lists them: each sets one setting of the runtime's builder
   * (its default, when it has one, is the builder's too).
   */
  static final List<Flag> FLAGS = List.of(
      port("--grpc-port", "50051", LocalRuntimeBuilder::grpcPort,
          "gRPC port the app connects to (SERVICE_ADDRESS); 0 = any free port."),
      port("--ws-port", "4000", LocalRuntimeBuilder::firstWebsocketPort,
          "Port of the first declared websocket; later sockets take the next free ports."),
      address("--host", "127.0.0.1", LocalRuntimeBuilder::bindHost,
          "Address the websocket ports listen on (0.0.0.0 for every interface); the gRPC port has --grpc-host."),
      address("--grpc-host", "127.0.0.1", LocalRuntimeBuilder::grpcHost,
          "Address the gRPC port (the app's SERVICE_ADDRESS) listens on."),
      text("--grpc-token", "TOKEN", LocalRuntimeBuilder::grpcToken,
          "Every gRPC call must carry metadata 'authorization: Bearer TOKEN'. Prefer the environment variable "
              + TOKEN_VARIABLE + " (a command line is visible to other users). Default: none."),
      file("--kv-dir", "DIR", LocalRuntimeBuilder::kvDirectory,
          "Keep key-value stores in this directory (one file per store) so they survive a restart. "
              + "Default: in memory only."),
      size("--max-message-size", "128k", LocalRuntimeBuilder::maxMessageSize,
          "Largest websocket message (bytes, or with k/m suffix); bigger ones close the client with 1009."),
      duration("--idle-timeout", "10m", LocalRuntimeBuilder::idleTimeout,
          "Close a connection with no message for this long (e.g. 90s, 10m, 1h, PT10M)."),
      duration("--ping-interval", "30s", LocalRuntimeBuilder::pingInterval,
          "Send a keep-alive ping after this long without writes; 0 = never."),
      duration("--handler-timeout", "30s", LocalRuntimeBuilder::handlerTimeout,
          "Time the app has to answer an event; an unanswered connect is refused."),
      duration("--request-timeout", "10s", LocalRuntimeBuilder::requestTimeout,
          "Time a new connection has to send its whole HTTP request; then it is answered 408 and closed."),
      count("--max-connections-per-address", "256", LocalRuntimeBuilder::maxConnectionsPerAddress,
          "Connections one client address may hold; more are answered 429."),
      count("--max-connections", "16000", LocalRuntimeBuilder::maxConnections,
          "Connections the gateway holds in all; more are answered 503. Keep it below the process's open-file "
              + "limit (ulimit -n)."),
      count("--max-messages-per-second", "100", LocalRuntimeBuilder::maxMessagesPerSecond,
          "Messages one connection may send per second, in bursts of as many; a client over it is closed with "
              + "1008 \"rate limit\". 0 = no limit."),
      size("--write-buffer", "256k", LocalRuntimeBuilder::writeBufferSize,
          "Bytes that may wait to be written to one connection before it counts as not reading."),
      size("--max-queued", "4m", LocalRuntimeBuilder::maxQueuedBytes,
          "Bytes that may queue for one connection in all; a send that would queue more closes it (1008, client "
              + "not reading): every client gets every message in order or is disconnected."),
      size("--max-queued-total", "64m", LocalRuntimeBuilder::maxQueuedTotalBytes,
          "Bytes that may queue for all connections together; over it the connection furthest behind is closed "
              + "(1008), one at a time."),
      duration("--slow-client-timeout", "10s", LocalRuntimeBuilder::slowClientTimeout,
          "Close a connection (1008) that stays over its write buffer, not reading, this long."),
      list("--allowed-origins", "ORIGIN", LocalRuntimeBuilder::allowedOrigins,
          "Browser origins that may open a websocket, comma-separated scheme://host[:port] (as browsers send "
              + "them) or *; any other Origin is answered 403. Default: any origin."),
      new Flag.TlsFiles("--tls-cert", "--tls-key"),
      flag("--accept-without-handler", LocalRuntimeBuilder::acceptWithoutHandler,
          "Accept websocket clients without asking the app while it has no connect handler registered (fail "
              + "open). Default: answer HTTP 503 \"no handler\"."),
      file("--static-page", "FILE", (builder, page) -> builder.staticPage(Files.readAllBytes(page)),
          "An HTML file served at GET / of every websocket port."));

  /** The parsed command (its options' values). */
  @Spec
  CommandSpec spec;

  static {
    // the launcher's own logging configuration, unless the user gives one
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "local-runtime-logback.xml");
    }
  }

  public static void main(String[] args) {
    int exitCode = new CommandLine(new LocalRuntimeMain()).execute(args);
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  /** The runtime these options describe. */
  LocalRuntimeBuilder runtimeBuilder() throws IOException {
    LocalRuntimeBuilder builder = LocalRuntime.builder();
    for (Flag flag : FLAGS) {
      flag.applyTo(spec, builder);
    }
    if (builder.grpcToken == null) {
      builder.grpcToken(environmentToken());
    }
    return builder;
  }

  /** The token from the environment, for when --grpc-token is not given; null when it sets none. */
  private String environmentToken() {
    String fromEnvironment = environment.get(TOKEN_VARIABLE);
    return fromEnvironment == null || fromEnvironment.isEmpty() ? null : fromEnvironment;
  }

  @Override
  public Integer call() throws Exception {
    LocalRuntime runtime = runtimeBuilder().build().start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      stopped.countDown();
    }, "nitric-runtime-shutdown"));
    System.out.printf("Nitric local runtime ready: SERVICE_ADDRESS=%s (Ctrl-C to stop)%n", runtime.serviceAddress());
    stopped.await();
    return 0;
  }

  /** Adds {@link #FLAGS} to the command, then --help and --version. */
  static final class Options implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec command) {
      FLAGS.forEach(flag -> flag.addTo(command));
      return command.mixinStandardHelpOptions(true);
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = LocalRuntimeMain.class.getPackage().getImplementationVersion();
      return new String[] {"nitric-ws local runtime " + (version == null ? "(development build)" : version)};
    }
  }
}
